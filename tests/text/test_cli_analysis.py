"""train, eval and links through the real command line (typer's runner)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from vaktpost.cli import app
from vaktpost.text.learned import LearnedModel

runner = CliRunner()

# (sender, recipient, text, true labels) per conversation: a buyer b-1 who asks two
# performers; p-1 confirms, p-2 refuses.
CONVERSATIONS = {
    "c-1": [("b-1", "p-1", "do you have a younger one?", ["MINOR_REQUEST"]), ("p-1", "b-1", "yes, 11", ["MINOR_CONFIRMED"]),
            ("b-1", "p-1", "how much? 30 usd ok", ["PRICE_NEGOTIATION"]), ("p-1", "b-1", "gcash 09175550101", ["PAYMENT_CHANNEL", "OFF_PLATFORM_MOVE"])],
    "c-2": [("b-1", "p-2", "any kids available?", ["MINOR_REQUEST"]), ("p-2", "b-1", "no, only adults here", [])],
    "c-3": [("b-2", "p-2", "my phone is 12 years old haha", []), ("p-2", "b-2", "I'm 19, show at 9, gcash 09175550101", ["PAYMENT_CHANNEL", "OFF_PLATFORM_MOVE"])],
}
ROLE = {"b": "customer", "p": "performer"}


def write_set(root: Path, split: str = "test", fresh_set: str = "") -> Path:
    (root / "truth").mkdir(parents=True)
    chats, truth = [], []
    i = 0
    for conv, lines in CONVERSATIONS.items():
        for sender, to, text, labels in lines:
            i += 1
            mid = f"m-{i}"
            chats.append({"platform": "cam", "conversation_id": conv, "message_id": mid, "sent_at": f"2021-03-04T21:{i:02d}:00Z",
                          "sender": {"id": sender, "role": ROLE[sender[0]]}, "recipients": [{"id": to, "role": ROLE[to[0]]}], "text": text})
            hard = "adult_age" if "19" in text else ("thing_age" if "phone" in text else None)
            truth.append({"platform": "cam", "message_id": mid, "conversation_id": conv, "labels": labels, "language": "en",
                          "family": f"en.{conv}.f{fresh_set}" if fresh_set else f"f-{conv}", "split": split, "hard_negative": hard})
    (root / "chats.jsonl").write_text("".join(json.dumps(c) + "\n" for c in chats))
    (root / "truth" / "messages.jsonl").write_text("".join(json.dumps(t) + "\n" for t in truth))
    actors = [
        {"platform": "cam", "actor_id": "b-1", "role": "customer", "kind": "hunter", "asked_minor": True, "offered_minor": False,
         "funnel": {"contacted": 2, "asked_minor": 2, "confirmed_minor": 1, "price": 1, "payment": 1, "off_platform": 1, "travel": 0}},
        {"platform": "cam", "actor_id": "p-1", "role": "performer", "kind": "facilitator", "asked_minor": False, "offered_minor": True, "funnel": {"contacted": 1}},
        {"platform": "cam", "actor_id": "p-2", "role": "performer", "kind": "performer", "asked_minor": False, "offered_minor": False, "funnel": {"contacted": 2}},
        {"platform": "cam", "actor_id": "b-2", "role": "customer", "kind": "customer", "asked_minor": False, "offered_minor": False, "funnel": {"contacted": 1}},
    ]
    (root / "truth" / "actors.jsonl").write_text("".join(json.dumps(a) + "\n" for a in actors))
    return root


def test_eval_scores_a_scanned_set(tmp_path):
    data = write_set(tmp_path / "set")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    assert runner.invoke(app, ["scan", str(data / "chats.jsonl"), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["eval", "--truth", str(data), "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    r = json.loads(result.stdout)
    assert r["labels"]["MINOR_REQUEST"]["f1"] == 1.0
    assert r["labels"]["MINOR_CONFIRMED"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert r["actors"]["asked_minor"]["f0.5"] == 1.0 and r["actors"]["offered_minor"]["f0.5"] == 1.0
    assert r["hard_negatives"] == {"messages": 2, "with_minor_label": 0, "fp_rate": 0.0,
                                   "by_class": {"adult_age": {"messages": 1, "with_minor_label": 0}, "thing_age": {"messages": 1, "with_minor_label": 0}}}
    assert r["funnel"]["asked_minor"]["true_total"] == 2 and r["funnel"]["asked_minor"]["found_total"] == 2


def test_eval_of_a_missing_truth_dir_is_one_line(tmp_path):
    result = runner.invoke(app, ["eval", "--truth", str(tmp_path / "nope"), "--db", f"sqlite:///{tmp_path / 'v.db'}"])
    assert result.exit_code == 1 and "not a directory" in result.stderr and "Traceback" not in result.output


def test_links_finds_the_shared_payment_number(tmp_path):
    data = write_set(tmp_path / "set")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    runner.invoke(app, ["scan", str(data / "chats.jsonl"), "--db", db])
    result = runner.invoke(app, ["links", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    [link] = json.loads(result.stdout)
    assert (link["actor_a"], link["actor_b"]) == ("p-1", "p-2")
    assert link["evidence"][0]["value"] == "+639175550101"


@pytest.mark.slow
def test_train_writes_a_loadable_model(tmp_path):
    # three fresh sets by two authors (a and b one hand, c another): folds are the two authors
    sets = [write_set(tmp_path / f"set{s}", "fresh", s) for s in "abc"]
    (tmp_path / "authors.json").write_text(json.dumps({"a": "author1", "b": "author1", "c": "author2"}))
    out = tmp_path / "model.npz"
    result = runner.invoke(app, ["train", *map(str, sets), "--authors", str(tmp_path / "authors.json"), "--out", str(out),
                                 "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert "left out one author at a time: author1 16, author2 8" in result.output
    model = LearnedModel.load(out)
    assert model.coef.shape[0] == len(model.labels) and np.isfinite(model.coef).all()
    assert out.stat().st_size < 5_000_000
    assert len(list((tmp_path / "cache").glob("*.pkl"))) == 3  # each set's scanned facts kept for the next run


def test_train_never_learns_from_the_test_split(tmp_path):
    result = runner.invoke(app, ["train", str(write_set(tmp_path / "set")), "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 1 and "no labelled messages of the train or fresh split" in result.stderr


def test_train_refuses_a_dir_without_truth(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["train", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "truth/messages.jsonl" in result.stderr


def test_sets_with_the_same_ids_are_kept_apart(tmp_path):
    from vaktpost.text.training import load_labelled

    a, b = write_set(tmp_path / "a"), write_set(tmp_path / "b")
    sa, sb = load_labelled(a, "all", tag="0:"), load_labelled(b, "all", tag="1:")
    assert not set(sa.labels) & set(sb.labels)
    assert sa.labels[("cam", "0:m-1")] == {"MINOR_REQUEST"}


def test_the_reply_model_learns_from_no_conversation_that_holds_a_test_line(tmp_path):
    """A `synth --split all` world mixes test-family lines into its conversations: the reply
    model (whole conversations, for its context) keeps only those with none of them."""
    from vaktpost.cli.analysis import _without_test_conversations

    root = write_set(tmp_path / "mixed", "train")
    truth = [json.loads(line) for line in (root / "truth" / "messages.jsonl").read_text().splitlines()]
    for t in truth:
        if t["conversation_id"] == "c-2" and t["message_id"] == "m-6":  # one line of c-2 is a test family's
            t["split"] = "test"
    (root / "truth" / "messages.jsonl").write_text("".join(json.dumps(t) + "\n" for t in truth))
    data = _without_test_conversations(root, tag="0:")
    assert sorted(c[0].conversation_id for c in data.conversations) == ["0:c-1", "0:c-3"]  # ids tagged per input
    assert ("cam", "0:m-5") not in data.labels and ("cam", "0:m-6") not in data.labels  # c-2 whole, not only its test line
    assert ("cam", "0:m-1") in data.labels and data.labels[("cam", "0:m-1")] == {"MINOR_REQUEST"}
