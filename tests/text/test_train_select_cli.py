"""`vaktpost train` with the train split and a fresh set: two authors, each left out in turn."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vaktpost.cli import app
from vaktpost.text.learned import ADD_ONLY, N_WORD, RULES_ONLY, LearnedModel

runner = CliRunner()
FRESH_A = Path(__file__).resolve().parents[2] / "benchmarks" / "fresh" / "a"


def test_select_needs_a_generator_directory(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text("")
    train_dir = tmp_path / "t"
    train_dir.mkdir()
    result = runner.invoke(app, ["train", str(train_dir), "--select", str(f), "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.slow
def test_train_with_a_fresh_selection_set(tmp_path):
    from vaktpost.synth import GeneratorOptions, generate

    generate(GeneratorOptions(out=tmp_path / "t", scenario="mixed", messages=3000, seed=1, split="train", fmt="jsonl"))
    generate(GeneratorOptions(out=tmp_path / "f", scenario="mixed", messages=3000, seed=1, split="fresh", fmt="jsonl",
                              templates=FRESH_A))
    out = tmp_path / "m.npz"
    result = runner.invoke(app, ["train", str(tmp_path / "t"), "--select", str(tmp_path / "f"), "--folds", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "left out one author at a time: gen" in result.output and "set-a" in result.output
    model = LearnedModel.load(out)
    assert model.n_word == N_WORD
    for j, lab in enumerate(model.labels):
        if lab in ADD_ONLY and model.mode(j) != RULES_ONLY:
            assert model.thresholds[j] <= 1.0  # a chosen add-only label has a real threshold
