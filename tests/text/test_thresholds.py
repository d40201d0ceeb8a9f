"""Threshold choice rules (text/thresholds.py): a synthetic out-of-author curve, and where the bars are read."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vaktpost.model import Label
from vaktpost.text import reply_training as rt
from vaktpost.text import thresholds
from vaktpost.text.choices import Options
from vaktpost.text.learned import ADD_ONLY
from vaktpost.text.thresholds import NONE, Bar, Point, bar_for, choose

# pipeline: 900 true / 50 false (P .947); additions per threshold, lower threshold = more
CURVE = [
    Point(0.80, 60, 12, 0.0, 900, 50),  # additions P .833; label (960/1022) .939
    Point(0.85, 50, 5, 0.0, 900, 50),  # additions P .909; label (950/1005) .945
    Point(0.90, 40, 2, 0.0, 900, 50),  # additions P .952; label (940/992) .948
    Point(0.95, 30, 1, 0.0, 900, 50),  # additions P .968; label .949
    Point(0.99, 20, 0, 0.0, 900, 50),  # additions P 1.0; label (920/970) .948
]


def test_the_additions_bar_takes_the_lowest_threshold_whose_additions_reach_it():
    assert choose(CURVE, Bar("additions", 0.97)) == 0.99
    assert choose(CURVE, Bar("additions", 0.95)) == 0.90
    assert choose(CURVE, Bar("additions", 0.90)) == 0.85
    assert choose(CURVE, Bar("additions", 0.80)) == 0.80


def test_the_label_bar_counts_the_rules_own_labels_with_the_additions():
    # additions at .909 keep the label at .945: a label bar of .945 takes them, an additions bar of .945 does not
    assert choose(CURVE, Bar("label", 0.945)) == 0.85
    assert choose(CURVE, Bar("additions", 0.945)) == 0.90
    assert choose(CURVE, Bar("label", 0.93)) == 0.80
    # the rules alone are under the bar: no threshold can lift them over it, the model adds nothing
    assert choose(CURVE, Bar("label", 0.95)) == NONE


def test_too_few_true_additions_or_a_hard_negative_rise_refuse_a_threshold():
    assert choose(CURVE, Bar("additions", 0.8, min_added=61)) == NONE
    risen = [Point(pt.t, pt.added_tp, pt.added_fp, 0.002 if pt.t < 0.9 else 0.0, pt.base_tp, pt.base_fp) for pt in CURVE]
    assert choose(risen, Bar("additions", 0.8)) == 0.90
    assert choose(risen, Bar("additions", 0.8, max_hard_rise=0.002)) == 0.80


def test_a_bar_is_checked():
    with pytest.raises(ValueError):
        Bar("f1", 0.9)
    with pytest.raises(ValueError):
        Bar("additions", 1.2)


def test_the_shipped_bars_are_the_defaults_of_both_trainers():
    data = json.loads(thresholds.BARS_FILE.read_text())
    reply = data["reply"]["default"]
    assert bar_for("reply") == Bar(reply["kind"], reply["min_precision"], reply["min_added"], reply["max_hard_rise"])
    o = Options()
    for lab in ADD_ONLY:
        assert o.bar(lab) == bar_for("learned", lab.value)
    own = data["learned"].get("labels", {})
    for name, entry in own.items():
        assert o.bar(Label[name]).min_precision == entry.get("min_precision", data["learned"]["default"]["min_precision"])


def test_a_label_bar_overrides_the_learned_default_for_that_label_only(tmp_path):
    f = tmp_path / "bars.json"
    f.write_text(json.dumps({"learned": {"default": {"kind": "additions", "min_precision": 0.97},
                                         "labels": {"MINOR_CONFIRMED": {"kind": "label", "min_precision": 0.93}}}}))
    assert bar_for("learned", "MINOR_CONFIRMED", f) == Bar("label", 0.93)
    assert bar_for("learned", "MINOR_REQUEST", f) == Bar("additions", 0.97)
    assert thresholds.label_entries("learned", f) == {"MINOR_CONFIRMED": {"kind": "label", "min_precision": 0.93}}


def _turns(n_true: int, n_false: int, p_true: float, p_false: float) -> tuple[rt.Turns, np.ndarray]:
    """Candidate turns of two authors, none confirmed by the pipeline; the pipeline confirms
    100 other messages, 95 of them truly (P .95)."""
    t = rt.Turns()
    probs = []
    for i in range(n_true + n_false):
        key = ("p", f"m{i}")
        truth = i < n_true
        t.keys.append(key)
        t.y.append(truth)
        t.confirmed.append(False)
        t.authors.append("a1" if i % 2 else "a2")
        t.msg_author[key] = t.authors[-1]
        t.msg_minor[key] = False
        t.msg_confirmed[key] = (truth, False)
        probs.append(p_true if truth else p_false)
    for i in range(100):
        key = ("p", f"c{i}")
        t.msg_author[key] = "a1"
        t.msg_confirmed[key] = (i < 95, True)
    return t, np.array(probs)


def test_the_reply_trainer_chooses_under_its_bar():
    turns, p = _turns(30, 2, 0.96, 0.905)  # at 0.91-0.96: 30/0; at 0.90 and below: 30/2 (.9375)
    assert rt.choose_threshold(turns, p, Bar("additions", 0.97))[0] == 0.91
    assert rt.choose_threshold(turns, p, Bar("additions", 0.93))[0] == 0.3
    # label with the pipeline's 95/5: (95+30)/(100+32) = .947 passes a label bar of .945
    assert rt.choose_threshold(turns, p, Bar("label", 0.945))[0] == 0.3
    # at 0.91 the label is (95+30)/(100+30) = .9615: a label bar of .96 takes it, .965 nothing
    assert rt.choose_threshold(turns, p, Bar("label", 0.96))[0] == 0.91
    assert rt.choose_threshold(turns, p, Bar("label", 0.965))[0] == NONE
    _, curve = rt.choose_threshold(turns, p, Bar("additions", 0.97))
    assert curve[0.9] == (30, 2, 0.0) and curve[0.95] == (30, 0, 0.0)


def test_the_reply_trainer_reads_its_default_bar_from_the_data_file(tmp_path, monkeypatch):
    turns, p = _turns(30, 2, 0.96, 0.905)
    f = tmp_path / "bars.json"
    f.write_text(json.dumps({"reply": {"default": {"kind": "additions", "min_precision": 0.9}}}))
    monkeypatch.setattr(thresholds, "BARS_FILE", f)
    assert rt.choose_threshold(turns, p)[0] == 0.3
    f2 = tmp_path / "bars2.json"
    f2.write_text(json.dumps({"reply": {"default": {"kind": "additions", "min_precision": 0.99}}}))
    monkeypatch.setattr(thresholds, "BARS_FILE", f2)
    assert rt.choose_threshold(turns, p)[0] == 0.91


def test_reply_bar_from_the_command_line():
    from vaktpost.errors import UserError
    from vaktpost.text.thresholds import parse_reply_bar

    shipped = bar_for("reply")
    assert parse_reply_bar(None) is None
    assert parse_reply_bar("label:0.95") == Bar("label", 0.95, shipped.min_added, shipped.max_hard_rise)
    for bad in ("f1:0.9", "additions", "additions:high", "label:0.2"):
        with pytest.raises(UserError):
            parse_reply_bar(bad)


def test_train_refuses_a_bad_bar_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from vaktpost.cli import app

    runner = CliRunner()
    for args in (["--bar-kind", "f1"], ["--reply-bar", "label"]):
        r = runner.invoke(app, ["train", str(tmp_path), "--out", str(tmp_path / "m.npz"), *args])
        assert r.exit_code == 1 and "Traceback" not in r.output and not (tmp_path / "m.npz").exists()
    import typer

    params = {o: p.help for p in typer.main.get_command(app).commands["train"].params for o in p.opts}
    for option in ("--min-precision", "--bar-kind", "--reply-bar", "--label-min-precision", "--min-added"):
        assert "thresholds.json" in params[option]
