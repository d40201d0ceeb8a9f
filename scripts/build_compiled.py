"""Compile the text stage's hot modules with Cython (`make speedups`; `make install` calls it).

Each module of `vaktpost.compiled.MODULES` is compiled unchanged (pure-Python mode: the `.py`
is the source) into `src/vaktpost/_compiled/`, and the manifest there records the sha256 of
each source as it was compiled, which the finder checks at import (vaktpost/compiled.py).
A module whose build is current is not compiled again. Without Cython or a C compiler this
prints why, writes a manifest that says so, and exits 1 (`make` only warns): the package
runs from its `.py` files, with the same findings.

    python scripts/build_compiled.py            # what is missing or stale
    python scripts/build_compiled.py --force    # everything
    python scripts/build_compiled.py --out DIR  # somewhere else (tests)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vaktpost.compiled import BUILD_DIR, MANIFEST, MODULES, module_hash, read_manifest, source_path

# Unchanged code: annotations are documentation, not C types (a `list[int]` argument may be
# handed a range); everything else as Cython's defaults.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "binding": True}


def write_manifest(out: Path, modules: dict, status: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"cache_tag": sys.implementation.cache_tag, "status": status, "modules": modules}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def build(out: Path, force: bool = False, jobs: int = 2) -> dict:
    """Compile what is missing or stale into `out`; returns the manifest's modules."""
    from Cython.Build import cythonize  # the build's own imports: only here
    from setuptools import Extension
    from setuptools.dist import Distribution

    old = read_manifest(out) or {}
    kept = old.get("modules", {}) if old.get("cache_tag") == sys.implementation.cache_tag else {}
    hashes = {m: module_hash(m) for m in MODULES}
    todo = [m for m in MODULES if force or kept.get(m, {}).get("source_sha256") != hashes[m]
            or not (out / kept[m]["file"]).is_file()]
    modules = {m: kept[m] for m in MODULES if m not in todo}
    if not todo:
        return modules
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    with tempfile.TemporaryDirectory(prefix="vaktpost-cython-") as tmp:
        tmp_path = Path(tmp)
        exts = [Extension(m, [str(source_path(m).relative_to(ROOT))]) for m in todo]
        cwd = os.getcwd()
        os.chdir(ROOT)  # Cython names each module from its place under src/ (package __init__s)
        try:
            ext_modules = cythonize(exts, compiler_directives=DIRECTIVES, include_path=[str(ROOT / "src")], build_dir=str(tmp_path / "c"),
                                    nthreads=jobs, quiet=True, force=True)
            dist = Distribution({"name": "vaktpost-compiled", "ext_modules": ext_modules})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib, cmd.build_temp, cmd.parallel = str(tmp_path / "lib"), str(tmp_path / "tmp"), jobs
            cmd.ensure_finalized()
            cmd.run()
        finally:
            os.chdir(cwd)
        for m in todo:
            if module_hash(m) != hashes[m]:
                continue  # edited while compiling: its build would be stale at once
            rel = Path(*m.split(".")[1:]).with_suffix("")
            built = tmp_path / "lib" / "vaktpost" / rel.parent / (rel.name + suffix)
            target = out / rel.parent / (rel.name + suffix)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp_target = target.with_name(target.name + ".new")
            shutil.copyfile(built, tmp_target)
            os.replace(tmp_target, target)  # a running process keeps the file it mapped
            modules[m] = {"file": str(target.relative_to(out)), "source_sha256": hashes[m]}
    return modules


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=BUILD_DIR)
    ap.add_argument("--force", action="store_true", help="compile every module again")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    try:
        import Cython  # noqa: F401
    except ImportError:
        write_manifest(args.out, {}, "not built: Cython is not installed (pip install -e '.[dev]')")
        print("speedups: Cython is not installed; the text stage runs as pure Python", file=sys.stderr)
        return 1
    try:
        modules = build(args.out, args.force, args.jobs)
    except Exception as e:  # noqa: BLE001 (no compiler, no Python headers, a Cython error: the .py files run)
        write_manifest(args.out, (read_manifest(args.out) or {}).get("modules", {}), f"not built: {type(e).__name__}: {e}")
        print(f"speedups: not built ({type(e).__name__}: {e}); the text stage runs as pure Python", file=sys.stderr)
        return 1
    write_manifest(args.out, modules, "built")
    print(f"speedups: {len(modules)}/{len(MODULES)} text-stage modules compiled into {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
