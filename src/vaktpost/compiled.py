"""Optional compiled builds (Cython) of the text stage's hot modules — never stale, never needed.

The `.py` files are the source and always run as they are. `make speedups` (which `make
install` calls; a failure only warns) compiles the modules in `MODULES` unchanged with Cython
into `src/vaktpost/_compiled/` (ignored by git, removed by `make clean`), beside a manifest
that records the sha256 of each source file as it was compiled. `install()`, called at the
top of `vaktpost/text/__init__.py` before any of those modules is imported, puts a finder
first on `sys.meta_path` that loads a module's compiled build only while its `.py` is byte
for byte the one it was built from: after an edit (or a branch switch) that module runs from
its `.py` until the next `make speedups`. `VAKTPOST_PURE=1` turns the finder off.

`vaktpost --version` and `benchmarks/text_scan.py` print `summary()`: which modules run
compiled. The findings are the same either way (tests/text/test_compiled.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib.machinery import ExtensionFileLoader, ModuleSpec
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent  # src/vaktpost
# where `make speedups` builds; VAKTPOST_COMPILED_DIR points the finder elsewhere (tests)
BUILD_DIR = Path(os.environ.get("VAKTPOST_COMPILED_DIR") or PACKAGE_DIR / "_compiled")
MANIFEST = "manifest.json"

# The text stage's per-message and per-text Python: the memo's glue, normalising, the age
# parser, the message rules, the dialogue, the reply model's candidates, the learned stage's
# per-row glue and the matcher's batch glue. (Not the package's __init__: a finder cannot
# stand in for the module that installs it.)
MODULES = tuple(
    f"vaktpost.text.{m}"
    for m in (
        "memo", "normalise", "matcher", "ages", "age_reading", "labels", "asks", "offers",
        "dialogue", "reply_turns", "reply_model", "learned", "ngram_hash", "facts",
        "request_object", "ask_stance", "ask_look_alikes", "travel_plans", "probes", "known_sender",
    )
)


def source_path(module: str) -> Path:
    """The `.py` of a module of this package (`vaktpost.text.memo` → src/vaktpost/text/memo.py)."""
    return PACKAGE_DIR.joinpath(*module.split(".")[1:]).with_suffix(".py")


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def module_hash(module: str) -> str:
    """The sha256 a module's build is current for: its `.py`, every `.pxd` of the text
    package (the C layouts of the typed records: facts, ages, dialogue) and the `.py` each
    describes. A build that reads `MessageFacts` as a C struct must never meet a
    `facts.py` edited since (a dataclass): such an edit makes every build stale at once."""
    h = hashlib.sha256(source_path(module).read_bytes())
    for pxd in sorted((PACKAGE_DIR / "text").glob("*.pxd")):
        h.update(pxd.name.encode() + pxd.read_bytes())
        py = pxd.with_suffix(".py")
        if py.is_file():
            h.update(py.read_bytes())
    return h.hexdigest()


def read_manifest(build_dir: Path = BUILD_DIR) -> dict | None:
    try:
        return json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def disabled() -> bool:
    return os.environ.get("VAKTPOST_PURE", "") not in ("", "0")


class CompiledFinder:
    """Finds the compiled build of a module in `MODULES` whose source is unchanged since it
    was built; for anything else it answers nothing and the ordinary finders load the `.py`."""

    def __init__(self, build_dir: Path = BUILD_DIR) -> None:
        self.build_dir = build_dir
        manifest = read_manifest(build_dir) or {}
        ok = manifest.get("cache_tag") == sys.implementation.cache_tag
        self.entries: dict[str, dict] = manifest.get("modules", {}) if ok else {}
        self.state: dict[str, str] = {}  # module → "compiled" | "stale" | "missing", as met

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        entry = self.entries.get(fullname)
        if entry is None:
            return None
        so = self.build_dir / entry["file"]
        try:
            current = module_hash(fullname) == entry["source_sha256"] and so.is_file()
        except OSError:
            current = False
        if not current:
            self.state[fullname] = "stale"
            return None
        self.state[fullname] = "compiled"
        return ModuleSpec(fullname, ExtensionFileLoader(fullname, str(so)), origin=str(so))


def install() -> CompiledFinder | None:
    """Put the finder first on `sys.meta_path` (once); nothing when `VAKTPOST_PURE` is set or
    nothing was built."""
    for f in sys.meta_path:
        if isinstance(f, CompiledFinder):
            return f
    if disabled():
        return None
    finder = CompiledFinder()
    if not finder.entries:
        return None
    sys.meta_path.insert(0, finder)
    return finder


def in_use() -> dict[str, bool]:
    """Whether each module of `MODULES` that is imported runs its compiled build."""
    out = {}
    for name in MODULES:
        mod = sys.modules.get(name)
        if mod is not None:
            out[name] = not str(getattr(mod, "__file__", "")).endswith(".py")
    return out


def summary() -> str:
    """One line: how many of the text stage's hot modules run compiled, and why not."""
    if disabled():
        return "text stage: pure Python (VAKTPOST_PURE is set)"
    import importlib

    for name in MODULES:  # (importing vaktpost.text installs the finder first)
        importlib.import_module(name)
    used = in_use()
    n = sum(used.values())
    if n == 0:
        manifest = read_manifest()
        why = "not built (make speedups)" if manifest is None else manifest.get("status", "not built")
        return f"text stage: pure Python ({why})"
    pure = sorted(k.rsplit(".", 1)[1] for k, v in used.items() if not v)
    rest = f"; from .py (edited since the build or not built): {', '.join(pure)}" if pure else ""
    return f"text stage: {n}/{len(used)} hot modules compiled (Cython){rest}"
