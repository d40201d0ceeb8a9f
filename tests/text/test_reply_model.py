"""The reply model: a turn is scored with its context; guard rails hold whatever the weights."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from vaktpost.model import Label, Message, Participant, Role
from vaktpost.text import analyse_messages, reply_model
from vaktpost.text.reply_model import CONTEXT, N_DENSE, N_LINE, N_TEXT, ReplyModel
from vaktpost.text.reply_training import collect_turns, feature_matrix
from vaktpost.text.training import LabelledSet

BUYER = Participant("b1", Role.UNKNOWN)
SELLER = Participant("s1", Role.UNKNOWN)
T0 = datetime(2024, 1, 1)


def conv(*lines: tuple[str, str], seller_role: Role = Role.UNKNOWN, cid: str = "c1") -> list[Message]:
    seller = Participant("s1", seller_role)
    out = []
    for i, (who, text) in enumerate(lines):
        snd, rcp = (BUYER, seller) if who == "b" else (seller, BUYER)
        out.append(Message("p", cid, f"{cid}-m{i}", T0 + timedelta(seconds=i), snd, text, (rcp,)))
    return out


def labels_of_last(messages: list[Message]) -> set[Label]:
    return analyse_messages([messages])[0][-1].labels()


@pytest.fixture
def model(monkeypatch):
    """Install a model for the test and let it go after."""

    def install(m: ReplyModel | None) -> None:
        monkeypatch.setattr(reply_model, "installed_model", lambda: m)

    return install


def always(threshold: float = 0.5) -> ReplyModel:
    """A model whose every score is far above any threshold: only the guard rails hold it back."""
    return ReplyModel(np.zeros(N_TEXT + N_DENSE), 20.0, threshold)


def asks_for_child(reply: str) -> list[Message]:
    return conv(("b", "hi"), ("s", "hello"), ("b", "do you have a young girl, like 10 yo, for cam?"), ("s", reply))


def asks_an_adult(reply: str) -> list[Message]:
    return conv(("b", "hi"), ("s", "hello"), ("b", "are you 25? i want a show with you"), ("s", reply))


# -- the shipped model: context decides --------------------------------------------------


def test_shipped_model_loads_and_is_small():
    m = ReplyModel.load(reply_model.shipped_model_path())
    assert m.coef.shape == (N_TEXT + N_DENSE,)
    assert reply_model.shipped_model_path().stat().st_size < 400_000


@pytest.mark.skipif(reply_model.installed_model() is None, reason="the trained model adds nothing (not shipped active)")
def test_same_line_confirms_after_a_request_for_a_child_not_after_an_adults_ask():
    line = "she can do it later, 50 usd"
    after_child = labels_of_last(asks_for_child(line))
    after_adult = labels_of_last(asks_an_adult(line))
    assert Label.MINOR_CONFIRMED in after_child
    assert Label.MINOR_CONFIRMED not in after_adult
    assert Label.PRICE_NEGOTIATION in after_child and Label.PRICE_NEGOTIATION in after_adult  # nothing taken away


@pytest.mark.skipif(reply_model.installed_model() is None, reason="the trained model adds nothing (not shipped active)")
def test_shipped_model_confirms_nothing_after_a_refusal_was_given():
    msgs = conv(("b", "hi"), ("s", "hello"), ("b", "do you have a young girl, like 10 yo, for cam?"),
                ("s", "no, only adults here"), ("b", "ok"), ("s", "she can do it later, 50 usd"))
    assert Label.MINOR_CONFIRMED not in labels_of_last(msgs)


# -- guard rails, whatever the weights ---------------------------------------------------


def test_a_refusal_is_never_confirmed(model):
    model(always())
    assert Label.MINOR_CONFIRMED not in labels_of_last(asks_for_child("sorry no kids here, only me 50 usd"))
    assert Label.MINOR_CONFIRMED not in labels_of_last(asks_for_child("wala po, adult lang"))


def test_no_child_in_the_conversation_never(model):
    model(always())
    msgs = conv(("b", "hi"), ("s", "hello"), ("b", "how much for a show tonight?"), ("s", "she can do it later, 50 usd"))
    assert all(Label.MINOR_CONFIRMED not in f.labels() for f in analyse_messages([msgs])[0])


def test_adult_only_line_and_customer_never(model):
    model(always())
    assert Label.MINOR_CONFIRMED not in labels_of_last(asks_for_child("im 19 yrs old, 50 usd"))
    customer = conv(("b", "hi"), ("s", "my niece is 9, 50 usd"), ("b", "ok she can do it later"))
    customer = [Message(m.platform, m.conversation_id, m.message_id, m.sent_at,
                        Participant(m.sender.id, Role.CUSTOMER) if m.sender.id == "b1" else m.sender, m.text, m.recipients)
                for m in customer]
    assert Label.MINOR_CONFIRMED not in analyse_messages([customer])[0][-1].labels()


def test_model_only_adds(model):
    model(None)
    # (no price in the line: "…, 50 usd" answering a request for a child is the rules' own
    # confirmation since session 7, `dialogue.terms`)
    without = [f.labels() for f in analyse_messages([asks_for_child("she is home later")])[0]]
    model(always())
    with_model = [f.labels() for f in analyse_messages([asks_for_child("she is home later")])[0]]
    assert all(a <= b for a, b in zip(without, with_model))
    assert with_model[-1] - without[-1] == {Label.MINOR_CONFIRMED}


def test_above_one_threshold_adds_nothing(model):
    model(always(threshold=1.01))
    assert Label.MINOR_CONFIRMED not in labels_of_last(asks_for_child("she is home later"))


def test_a_confirmation_in_another_conversation_gives_no_context(model):
    """Context lives in one conversation: a request for a child in c1 is no context in c2."""
    coef = np.zeros(N_TEXT + N_DENSE)
    coef[N_TEXT + N_LINE + CONTEXT.index("g_minor_request")] = 10.0  # only a request for a child answered counts
    model(ReplyModel(coef, -5.0, 0.5))
    first = asks_for_child("ok later then")
    second = conv(("b", "my niece lives in cebu"), ("s", "ok later then"), cid="c2")  # about a child, no request
    got = analyse_messages([first, second])
    assert Label.MINOR_CONFIRMED in got[0][-1].labels()
    assert Label.MINOR_CONFIRMED not in got[1][-1].labels()


# -- training and inference agree ---------------------------------------------------------


def test_inference_equals_the_training_decision_function(tmp_path):
    convs = [
        asks_for_child("she can do it later, 50 usd"),
        conv(("b", "hi po"), ("s", "may pamangkin ako 11 anyos, 40 usd"), ("b", "ok pwede"), ("s", "mamaya 8pm po"), cid="c2"),
        conv(("b", "your niece there? 12 right"), ("s", "yes she is here"), ("b", "send pic first"), ("s", "ok wait"), cid="c3"),
    ]
    data = LabelledSet(convs, {}, {})
    turns = collect_turns(data)
    assert len(turns.keys) >= 4
    rng = np.random.default_rng(5)
    coef = rng.normal(0, 1, N_TEXT + N_DENSE)
    path = tmp_path / "reply.npz"
    ReplyModel(coef, -0.3, 0.5).save(path)
    m = ReplyModel.load(path)
    rows = [i for i, done in enumerate(turns.confirmed) if not done]  # training also learns from confirmed turns
    assert len(rows) >= 3 and len(rows) < len(turns.keys)
    expected = feature_matrix(turns, rows) @ m.coef + m.intercept  # what training's LogisticRegression computes
    with reply_model.switched_off():
        from vaktpost.text import _analyse

        flat = [x for c in convs for x in c]
        facts, texts, _, _ = _analyse(convs, flat, True, copy_all=True)
    pending = reply_model.Pending(m)
    i = 0
    for n, (c, f) in enumerate(zip(convs, facts)):
        pending.collect(n, c, reply_model.turns_of(c, f), texts, i)
        i += len(c)
    assert [(c[k].message_id) for n, k, *_ in pending.items for c in [convs[n]]] == [turns.keys[i][1] for i in rows]
    np.testing.assert_allclose(pending.logits(), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.slow
def test_vaktpost_train_writes_a_reply_model_beside_the_learned_one(tmp_path):
    """Two authors (the generator's families and fresh set a): the threshold is chosen leave-one-author-out."""
    from pathlib import Path

    from typer.testing import CliRunner

    from vaktpost.cli import app
    from vaktpost.synth import GeneratorOptions, generate

    fresh_a = Path(__file__).parents[2] / "benchmarks" / "fresh" / "a"
    generate(GeneratorOptions(out=tmp_path / "t", scenario="mixed", messages=3000, seed=1, split="train", fmt="jsonl"))
    generate(GeneratorOptions(out=tmp_path / "f", scenario="mixed", messages=3000, seed=1, split="fresh", fmt="jsonl", templates=fresh_a))
    out = tmp_path / "m.npz"
    result = CliRunner().invoke(app, ["train", str(tmp_path / "t"), "--select", str(tmp_path / "f"), "--folds", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "reply model without author gen" in result.output and "reply model without author set-a" in result.output  # no --authors: a fresh set is its own author
    m = ReplyModel.load(tmp_path / "m.reply.npz")
    assert np.isfinite(m.coef).all() and m.coef.any()
    no_reply = tmp_path / "n.npz"
    result = CliRunner().invoke(app, ["train", str(tmp_path / "t"), "--folds", "3", "--no-reply", "--out", str(no_reply)])
    assert result.exit_code == 0 and not (tmp_path / "n.reply.npz").exists()
