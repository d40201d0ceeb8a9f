"""Fresh template families (`vaktpost synth --templates DIR --split fresh`): phrasing written
outside the package, filled with the shipped slots, recorded in the truth as split `fresh`;
moves without a fresh family fall back to the shipped train families. Also checks the
fresh sets in `benchmarks/fresh/` (every set, every pair) with the same validation and content
rule as shipped data.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import orjson
import pytest
import typer
from synth_worlds import read_jsonl
from test_synth_content import _hits
from test_synth_split import _pattern, _patterns
from typer.testing import CliRunner

from vaktpost.cli import analysis as analysis_cli
from vaktpost.cli import synth as synth_cli
from vaktpost.errors import UserError
from vaktpost.synth import GeneratorOptions, generate
from vaktpost.synth.templates import LANGUAGES, load_fresh_templates, load_moves, load_templates

ROOT = Path(__file__).resolve().parents[2]
SETS = {name: ROOT / "benchmarks" / "fresh" / name for name in "abcdefghijklmn"}
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in "st"})  # author10
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in "qr"})
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in "op"})  # author8
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in "uv"})  # author11
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in "wx"})  # author12
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in "yz"})  # author13
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in ("aa", "ab")})  # author14
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in ("ac", "ad")})  # author15
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in ("ae", "af")})  # author16
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in ("ag", "ah")})  # author17
SETS.update({name: ROOT / "benchmarks" / "fresh" / name for name in ("ai", "aj")})  # author18

FIXTURE = {
    "en": {"language": "en", "families": {
        "en.minor_request.zz": {"move": "minor_request", "split": "fresh", "texts": [
            "zzfresh any {kid} around {now}", "zzfresh got a {relative} who is {minor_age}?"]},
        "en.greeting.zz": {"move": "greeting", "split": "fresh", "texts": ["zzfresh {hi} mate"]},
    }},
    "nb": {"language": "nb", "families": {
        "nb.price_ask.zz": {"move": "price_ask", "split": "fresh", "texts": [
            "zzfresh hva tar du for {show}"]},
    }},
}


def _write(folder: Path, files: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for lang, data in files.items():
        (folder / f"{lang}.json").write_bytes(orjson.dumps(data))
    return folder


@pytest.fixture(scope="module")
def fresh_world(tmp_path_factory):
    base = tmp_path_factory.mktemp("fresh")
    folder = _write(base / "tpl", FIXTURE)
    out = base / "world"
    summary = generate(GeneratorOptions(out=out, messages=6000, seed=3, split="fresh",
                                        templates=folder, perturb=0))
    return summary, read_jsonl(out / "chats.jsonl"), read_jsonl(out / "truth" / "messages.jsonl"), out


def test_fresh_messages_carry_split_fresh_and_the_fresh_family(fresh_world):
    summary, chats, truth, _ = fresh_world
    patterns = {fam: [_pattern(t) for t in f["texts"]]
                for d in FIXTURE.values() for fam, f in d["families"].items()}
    fresh = [(c, t) for c, t in zip(chats, truth) if t["split"] == "fresh"]
    assert len(fresh) > 100
    for chat, t in fresh:
        assert t["family"] in patterns
        assert any(p.fullmatch(chat["text"]) for p in patterns[t["family"]]), chat["text"]
    # Every (language, move) the folder covers is phrased only with its fresh families.
    for chat, t in zip(chats, truth):
        if t["language"] == "en" and t["family"].split(".")[1] in ("minor_request", "greeting"):
            assert t["split"] == "fresh"
        if "zzfresh" in chat["text"]:
            assert t["split"] == "fresh"
    assert summary["split"] == "fresh" and summary["counts"]["splits"]["fresh"] == len(fresh)


def test_moves_without_a_fresh_family_fall_back_to_train(fresh_world):
    _, _, truth, _ = fresh_world
    others = [t for t in truth if t["split"] != "fresh"]
    assert others and all(t["split"] == "train" for t in others)
    assert all(not t["family"].endswith(".zz") for t in others)
    # nb has a fresh price_ask only; its other moves come from train (nb or the en fallback).
    nb_moves = {t["family"].split(".")[1] for t in truth if t["split"] == "fresh"
                and t["language"] == "nb"}
    assert nb_moves == {"price_ask"}
    # mixed/tl/ceb speakers asking for a minor do not borrow the English fresh family.
    assert not [t for t in truth if t["family"] == "en.minor_request.zz"
                and t["language"] != "en"]


@pytest.mark.parametrize("change, why", [
    (lambda f: f["en.greeting.zz"].update(move="wave"), "unknown move 'wave'"),
    (lambda f: f["en.greeting.zz"].update(split="train"), "split must be fresh"),
    (lambda f: f.update({"en.greeting.bad": {"move": "ack", "split": "fresh", "texts": ["ok"]}}),
     "id must be en.ack.<name>"),
    (lambda f: f["en.greeting.zz"].update(texts=["hi {no_such_slot}"]), "unknown slot"),
    (lambda f: f["en.greeting.zz"].update(texts=["hi\u0007there"]), "control character"),
    (lambda f: f["en.greeting.zz"].update(texts=[]), "texts must be a non-empty list"),
])
def test_a_bad_family_is_rejected_with_file_family_and_why(tmp_path, change, why):
    files = orjson.loads(orjson.dumps(FIXTURE))
    change(files["en"]["families"])
    folder = _write(tmp_path / "tpl", files)
    with pytest.raises(UserError) as err:
        load_fresh_templates(folder)
    assert why in err.value.why
    assert str(folder / "en.json") in err.value.where
    assert "en." in err.value.why + err.value.where


def test_bad_files_are_rejected(tmp_path):
    with pytest.raises(UserError, match="file name must be one of"):
        load_fresh_templates(_write(tmp_path / "a", {"xx": {"language": "xx", "families": {}}}))
    with pytest.raises(UserError, match='"language": "nb"'):
        load_fresh_templates(_write(tmp_path / "b", {"nb": {"language": "en", "families": {}}}))
    with pytest.raises(UserError, match="families only"):
        load_fresh_templates(_write(tmp_path / "c", {"en": {"language": "en", "families": {},
                                                             "lexicon": {"hi": ["yo"]}}}))
    (tmp_path / "d").mkdir()
    with pytest.raises(UserError, match="holds no"):
        load_fresh_templates(tmp_path / "d")
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "en.json").write_text("{not json")
    with pytest.raises(UserError, match="not valid JSON"):
        load_fresh_templates(tmp_path / "e")


def _app(*modules) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _group() -> None:
        pass

    for m in modules:
        m.register(app)
    return app


def test_cli_split_fresh_needs_templates_and_templates_need_fresh(tmp_path):
    app = _app(synth_cli)
    folder = _write(tmp_path / "tpl", FIXTURE)
    r = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "o1"), "--split", "fresh",
                                 "--messages", "50"])
    assert r.exit_code == 1 and "--templates" in r.output
    r = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "o2"), "--split", "train",
                                 "--templates", str(folder), "--messages", "50"])
    assert r.exit_code == 1 and "--split fresh" in r.output
    bad = _write(tmp_path / "bad", {"en": {"language": "en", "families": {
        "en.ack.x": {"move": "nope", "split": "fresh", "texts": ["ok"]}}}})
    r = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "o3"), "--templates", str(bad),
                                 "--messages", "50"])
    assert r.exit_code == 1 and "en.ack.x" in r.output and "Traceback" not in r.output
    # --templates alone means --split fresh.
    r = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "o4"), "--templates",
                                 str(folder), "--messages", "300", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert orjson.loads((tmp_path / "o4" / "world.json").read_bytes())["split"] == "fresh"


def test_eval_split_fresh_scores_only_fresh_messages(fresh_world, tmp_path):
    _, _, truth, out = fresh_world
    app = _app(analysis_cli)
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    scores = {}
    for split in ("fresh", "train", "all"):
        r = CliRunner().invoke(app, ["eval", "--truth", str(out), "--db", db, "--split", split,
                                     "--format", "json"])
        assert r.exit_code == 0, r.output
        scores[split] = orjson.loads(r.stdout)
    n_fresh = sum(t["split"] == "fresh" for t in truth)
    assert scores["fresh"]["messages"] == n_fresh
    assert scores["train"]["messages"] == len(truth) - n_fresh
    assert scores["all"]["messages"] == len(truth)
    # Nothing predicted: the false negatives of MINOR_REQUEST are the fresh requests alone.
    fresh_requests = sum("MINOR_REQUEST" in t["labels"] for t in truth if t["split"] == "fresh")
    assert fresh_requests and scores["fresh"]["labels"]["MINOR_REQUEST"]["fn"] == fresh_requests


# The fresh sets shipped with the repo: same checks as the package's own families.

@pytest.fixture(scope="module", params=sorted(SETS))
def fresh_set(request):
    return request.param, load_fresh_templates(SETS[request.param])


def test_fresh_set_covers_every_move_in_every_language(fresh_set):
    name, templates = fresh_set
    moves = set(load_moves())
    by_family: dict[str, list] = {}
    for t in templates:
        by_family.setdefault(t.family, []).append(t)
    for lang in LANGUAGES:
        covered = {fam.split(".")[1] for fam in by_family if fam.startswith(lang + ".")}
        assert covered == moves, (name, lang, moves - covered)
    for fam, ts in by_family.items():
        assert 4 <= len(ts) <= 6, (name, fam, len(ts))
        assert len({t.text for t in ts}) == len(ts), (name, fam, "duplicate text")


def test_fresh_set_obeys_the_content_rule(fresh_set):
    _, templates = fresh_set
    assert _hits(t.text for t in templates) == []


def _literal(text: str) -> str:
    return re.sub(r"[^\w{}]+", " ", text.lower()).strip()


def test_fresh_set_wording_differs_from_shipped_train_families(fresh_set):
    _, templates = fresh_set
    train = [p for ps in _patterns("train", min_letters=8).values() for p in ps]
    same = [t.text for t in templates if any(p.fullmatch(t.text) for p in train)]
    assert same == []
    # Short lines too: no fresh text is a train text up to case and punctuation.
    train_texts = {_literal(t.text) for t in load_templates() if t.split == "train"}
    assert [t.text for t in templates if _literal(t.text) in train_texts] == []


@pytest.mark.parametrize("first, second", list(itertools.combinations(sorted(SETS), 2)))
def test_fresh_sets_differ_in_wording(first, second):
    a, b = (load_fresh_templates(SETS[n]) for n in (first, second))
    # Whole texts up to case and punctuation, and the literal words once slots are removed.
    assert {_literal(t.text) for t in a} & {_literal(t.text) for t in b} == set()
    strip = re.compile(r"\{\w+\}")
    words_a = {_literal(strip.sub("", t.text)) for t in a}
    words_b = {_literal(strip.sub("", t.text)) for t in b}
    shared = {w for w in words_a & words_b if sum(ch.isalpha() for ch in w) >= 8}
    assert shared == set()
