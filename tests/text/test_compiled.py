"""The optional compiled text stage (vaktpost/compiled.py, scripts/build_compiled.py): the same
findings as the pure-Python stage, and never a build older than its source."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib.machinery import ExtensionFileLoader
from pathlib import Path

import pytest

from vaktpost import compiled

ROOT = Path(__file__).resolve().parents[2]

# One process: analyse a generated batch, print the findings and which modules ran compiled.
RUN = """
import json, sys
from pathlib import Path
from vaktpost.synth import GeneratorOptions, generate
from vaktpost.text import analyse_conversations
from vaktpost.text.training import chats_path, group_conversations, read_messages
from vaktpost import compiled
out = Path(sys.argv[1])
if not (out / "chats.jsonl").exists():
    generate(GeneratorOptions(out=out, messages=4_000, seed=11, split="train"))
convs = group_conversations(list(read_messages(chats_path(out))))
found = []
for i in range(0, len(convs), 120):
    found += [repr(f) for f in analyse_conversations(convs[i : i + 120])]
print(json.dumps({"in_use": compiled.in_use(), "findings": found}))
"""


def _run(data: Path, **env) -> dict:
    full = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **env}
    done = subprocess.run([sys.executable, "-c", RUN, str(data)], env=full, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _compiler() -> bool:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    try:
        import Cython  # noqa: F401
    except ImportError:
        return False
    return shutil.which(cc) is not None and Path(sysconfig.get_paths()["include"], "Python.h").exists()


def _current(build_dir: Path) -> bool:
    manifest = compiled.read_manifest(build_dir) or {}
    entries = manifest.get("modules", {}) if manifest.get("cache_tag") == sys.implementation.cache_tag else {}
    return all(m in entries and (build_dir / entries[m]["file"]).is_file()
               and entries[m]["source_sha256"] == compiled.module_hash(m) for m in compiled.MODULES)


@pytest.mark.slow
def test_compiled_and_pure_stage_give_identical_findings(tmp_path):
    """Where a compiler is at hand the install made the compiled modules (`make install` →
    `make speedups`); a tree where they are missing or older than a source edit gets them built
    here. Then a generated batch is analysed both ways, each in its own process."""
    if not _compiler():
        # no compiler: the package must run from its .py files, and say so
        got = _run(tmp_path / "data")
        assert got["findings"] and not any(got["in_use"].values())
        assert "pure Python" in subprocess.run(
            [sys.executable, "-c", "from vaktpost.compiled import summary; print(summary())"],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, capture_output=True, text=True, check=True).stdout
        return
    manifest = compiled.read_manifest(compiled.BUILD_DIR)
    assert manifest is None or manifest.get("status") == "built", (
        f"a compiler is here but `make speedups` did not build: {manifest.get('status')}")
    build_dir = compiled.BUILD_DIR
    if not _current(build_dir):  # never built (a checkout on PYTHONPATH) or a source edited since:
        # what `make speedups` does (only the missing and stale modules are compiled)
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_compiled.py"), "--out", str(build_dir)], check=True)
    assert _current(build_dir)
    fast = _run(tmp_path / "data", VAKTPOST_COMPILED_DIR=str(build_dir))
    pure = _run(tmp_path / "data", VAKTPOST_PURE="1")
    assert set(fast["in_use"]) == set(compiled.MODULES) and all(fast["in_use"].values())
    assert not any(pure["in_use"].values())
    assert len(pure["findings"]) > 100
    assert fast["findings"] == pure["findings"]


def _fake_build(tmp_path: Path, module: str, sha: str) -> Path:
    build = tmp_path / "build"
    (build / "text").mkdir(parents=True)
    so = build / "text" / ("dialogue" + sysconfig.get_config_var("EXT_SUFFIX"))
    so.write_bytes(b"not loaded by find_spec")
    manifest = {"cache_tag": sys.implementation.cache_tag, "status": "built",
                "modules": {module: {"file": str(so.relative_to(build)), "source_sha256": sha}}}
    (build / compiled.MANIFEST).write_text(json.dumps(manifest))
    return build


def test_finder_answers_with_a_build_whose_source_is_unchanged(tmp_path):
    m = "vaktpost.text.dialogue"
    finder = compiled.CompiledFinder(_fake_build(tmp_path, m, compiled.module_hash(m)))
    spec = finder.find_spec(m)
    assert isinstance(spec.loader, ExtensionFileLoader) and spec.origin.endswith(sysconfig.get_config_var("EXT_SUFFIX"))
    assert finder.state == {m: "compiled"}
    assert finder.find_spec("vaktpost.text.labels") is None  # not in the manifest: the .py


def test_finder_leaves_a_module_edited_since_its_build_to_its_py(tmp_path):
    m = "vaktpost.text.dialogue"
    finder = compiled.CompiledFinder(_fake_build(tmp_path, m, "0" * 64))
    assert finder.find_spec(m) is None and finder.state == {m: "stale"}


def test_finder_ignores_a_build_for_another_python(tmp_path):
    m = "vaktpost.text.dialogue"
    build = _fake_build(tmp_path, m, compiled.module_hash(m))
    manifest = json.loads((build / compiled.MANIFEST).read_text())
    (build / compiled.MANIFEST).write_text(json.dumps({**manifest, "cache_tag": "cpython-39"}))
    assert compiled.CompiledFinder(build).find_spec(m) is None


def test_pure_switch_turns_the_finder_off(monkeypatch):
    monkeypatch.setenv("VAKTPOST_PURE", "1")
    assert compiled.disabled() and "pure Python" in compiled.summary()
