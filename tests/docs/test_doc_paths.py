"""The conversation-analysis docs point at things that exist.

docs/analysis.md describes the text stage as it is and sends the reader to the session logs in
docs/sessions/ for the why; both quote paths (`src/...`, `benchmarks/...`, `tests/...`), link to
each other's sections and name CLI options. A file moved, a section renamed or an option dropped
should fail here rather than leave a reader at a dead end.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
ANALYSIS = DOCS / "analysis.md"
PAGES = [ANALYSIS, *sorted((DOCS / "sessions").glob("*.md"))]

# Files a session log names that a later session removed, saying so in its log. Each must stay
# gone (a file of that name coming back should be described, not excused) and be named gone.
REMOVED = {"benchmarks/learned_select.py": "is gone"}

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
QUOTED_PATH = re.compile(r"(?<![\w/.-])((?:src|benchmarks|tests|docs)/[\w./{},*<>-]*[\w*}])")
PLACEHOLDER = re.compile(r"^(?:[A-Z]|<[^>]*>|\.\.\.)$")  # benchmarks/fresh/X, <dir>


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        m = None if in_code else re.match(r"#{1,6} (.+)", line)
        if m:
            s = _slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out


def _expand(path: str) -> list[str]:
    """`benchmarks/fresh/{b,d}` -> both paths."""
    m = re.search(r"\{([^{}]*)\}", path)
    if not m:
        return [path]
    return list(itertools.chain.from_iterable(_expand(path[: m.start()] + alt + path[m.end() :]) for alt in m.group(1).split(",")))


def _quoted_paths(page: Path) -> set[str]:
    out = set()
    for raw in QUOTED_PATH.findall(page.read_text(encoding="utf-8")):
        for p in _expand(raw.rstrip(".")):
            if not any(PLACEHOLDER.match(part) for part in p.split("/")):
                out.add(p)
    return out


def test_the_pages_are_there():
    assert ANALYSIS.exists()
    names = [p.name for p in PAGES]
    assert "README.md" in names
    for n in range(1, 7):  # the logs of sessions 1-6, one file each
        assert [x for x in names if x.startswith(f"{n}-")], f"docs/sessions/{n}-*.md"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_relative_links_resolve(page):
    bad = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            bad.append(f"{target}: no heading with that anchor in {dest.name}")
    assert not bad, f"{page.name}: {bad}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_quoted_paths_exist(page):
    missing = []
    for p in sorted(_quoted_paths(page)):
        if p in REMOVED:
            continue
        if "*" in p:
            if not list(ROOT.glob(p)):
                missing.append(p)
        elif not (ROOT / p).exists():
            missing.append(p)
    assert not missing, f"{page.name} quotes paths that do not exist: {missing}"


def test_removed_files_stay_removed_and_are_said_to_be():
    logs = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    for path, words in REMOVED.items():
        assert not (ROOT / path).exists(), f"{path} is back: describe it instead of excusing it"
        assert re.search(re.escape(path) + r"[^\n]{0,80}" + re.escape(words), logs), path


def _short_paths(text: str) -> set[str]:
    """Module and data paths quoted relative to the package: `text/memo.py`, `lexicons/rules.json`."""
    found = re.findall(r"`([\w/]+\.(?:py|json|npz|tsv))`", text)
    found += re.findall(r"(?<![\w/.-])((?:text|cli|engines|ingest|store|lexicons|model)/[\w/]+\.(?:py|json|npz|tsv))", text)
    return {f for f in found if not f.startswith(("src/", "benchmarks/", "tests/", "docs/"))}


def test_analysis_names_modules_and_data_files_that_exist():
    text = ANALYSIS.read_text(encoding="utf-8")
    bases = [ROOT / "src" / "vaktpost", ROOT / "src" / "vaktpost" / "text", ROOT / "src" / "vaktpost" / "text" / "lexicons", ROOT]
    missing = [p for p in sorted(_short_paths(text)) if not any((b / p).exists() for b in bases)]
    assert not missing, missing


def test_analysis_names_functions_that_exist():
    """`module.name` in backticks, where module is a file of vaktpost.text: the name is defined there."""
    text = ANALYSIS.read_text(encoding="utf-8")
    pkg = ROOT / "src" / "vaktpost" / "text"
    # rule names share the module's name (`dialogue.answer`): they are strings in the code
    rules = "\n".join(f.read_text(encoding="utf-8") for f in [*pkg.glob("*.py"), pkg / "lexicons" / "rules.json"])
    missing = []
    for mod, name in set(re.findall(r"`(\w+)\.(\w+)`", text)):
        src = pkg / f"{mod}.py"
        if not src.exists() or name in ("py", "json", "npz") or f'"{mod}.{name}' in rules:
            continue
        if not re.search(rf"^(?:def|class) {name}\b|^{name}\s*[:=]", src.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append(f"{mod}.{name}")
    assert not missing, missing


def _cli_options() -> set[str]:
    import typer

    from vaktpost.cli import app

    opts: set[str] = set()

    def walk(cmd):
        for p in getattr(cmd, "params", ()):
            opts.update(o for o in (*p.opts, *p.secondary_opts) if o.startswith("--"))
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return opts


def test_analysis_quotes_only_options_that_exist():
    """Every `--option` on the page is one of a vaktpost command's (as --help lists them) or a
    benchmark script's it is quoted beside."""
    text = ANALYSIS.read_text(encoding="utf-8")
    quoted = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", text))
    known = _cli_options()
    benches = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "benchmarks").glob("*.py"))
    missing = sorted(o for o in quoted if o not in known and f'"{o}"' not in benches)
    assert not missing, missing
