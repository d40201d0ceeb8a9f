"""What the learned stage is trained and chosen on, grouped by AUTHOR (one independent hand).

Rules tuned on one author's fresh sets reach .95+ there and carry almost nothing to the next
author ("Held-out checks, session 4" in docs/sessions/4-sets-b-and-d-speed-tidy.md); folds by
template family keep the same hand's other families in training and flatter the model. So the
folds of `vaktpost train` are authors: every mode, threshold and gate is chosen on predictions
for each author's messages by a model that never read that author (leave one author out).

A message's author comes from its truth record: a fresh family id ends `.f<set>` and the
authors map (`benchmarks/fresh/authors.json`: set -> author) names the set's hand; the
generator's own train families are the author `gen`. A labelled chat JSONL file is its own
author.

The corpus holds, per message, its author, true labels, the rules' labels (dialogue
included), its hard-negative class and its candidate row; per distinct candidate (normalised
text, role) — the learned stage's input at scan time — the feature row, the rules' labels
before the dialogue and what the gates allow. Scanning is most of the cost of building it,
so each directory's part is cached (`cache`), keyed by the rules' code and lexicons and the
data files.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vaktpost.errors import UserError
from vaktpost.model import Label
from vaktpost.text.learned import (
    GATE_CANDIDATE,
    GATE_EVIDENCE,
    LABELS,
    N_WORD,
    _candidate,
    feature_matrix,
    may_add,
    refused,
)

GEN = "gen"
LEARN_SPLITS = ("train", "fresh")  # never "test": the held-out families
CACHE_VERSION = "loao-2"


def author_of(t: Mapping, authors: Mapping[str, str]) -> str:
    """The hand that wrote a truth record's wording."""
    if t.get("split") != "fresh":
        return GEN
    suffix = str(t.get("family") or "").rsplit(".", 1)[-1]
    fresh_set = suffix.removeprefix("f")
    return authors.get(fresh_set, f"set-{fresh_set}")


def read_authors(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    import json

    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"not a readable JSON authors map ({exc})", str(path)) from None
    if not isinstance(data, dict):
        raise UserError("the authors map must be a JSON object: fresh set -> author", str(path))
    return {str(k): str(v) for k, v in data.items() if not str(k).startswith("_")}


@dataclass
class Corpus:
    authors: list[str]
    author: np.ndarray  # (n,) index into authors
    family: np.ndarray  # (n,) template family (a file's conversation): folds when there is one author
    y: np.ndarray  # (n, L) true labels
    rules: np.ndarray  # (n, L) the rules' labels, dialogue included
    hard: np.ndarray  # (n,) index into hard_classes, -1 for none
    hard_classes: list[str]
    row: np.ndarray  # (n,) candidate row, -1 where the message is no candidate
    X: object  # (k, features) csr
    allowed: np.ndarray  # (k, 2) may_add under GATE_EVIDENCE, GATE_CANDIDATE
    before: np.ndarray  # (k, L) the rules' labels before the dialogue (what `apply_learned` sees)
    refused: np.ndarray  # (k, L, 2) `learned.refused`, content_beside_request False / True

    @property
    def n(self) -> int:
        return len(self.author)


def _part_of_dir(path: Path, authors: Mapping[str, str], n_word: int) -> dict:
    """One directory's (or labelled file's) messages and candidate rows."""
    from vaktpost.text import analyse_messages
    from vaktpost.text.memo import facts_before_dialogue
    from vaktpost.text.training import chats_path, group_conversations, read_messages, read_truth

    truth = {}
    if path.is_dir():
        for t in read_truth(path, "messages.jsonl"):
            if t.get("split") in LEARN_SPLITS:
                truth[(t["platform"], t["message_id"])] = t
        convs = group_conversations(m for m in read_messages(chats_path(path)) if (m.platform, m.message_id) in truth)
    else:
        convs = group_conversations(read_messages(path))
        for conv in convs:
            for m in conv:
                if "labels" not in m.meta:
                    raise UserError(f"message {m.message_id} has no \"labels\" key", str(path))
                truth[(m.platform, m.message_id)] = {"labels": m.meta["labels"] or (), "hard_negative": None}
    if not truth:
        raise UserError("no labelled messages of the train or fresh split", str(path))
    after = analyse_messages(convs, use_learned=False)
    flat = [m for conv in convs for m in conv]
    facts, texts, _ = facts_before_dialogue(flat, use_learned=False)
    file_author = f"file:{path.name}"
    msg_author, family, hard, y, rules, row = [], [], [], [], [], []
    keys: dict[tuple[str, str], int] = {}
    key_facts = []
    for m, f, post, i in zip(flat, facts, (f for fs in after for f in fs), range(len(flat))):
        t = truth[(m.platform, m.message_id)]
        msg_author.append(author_of(t, authors) if path.is_dir() else file_author)
        family.append(str(t.get("family") or m.conversation_id))
        hard.append(t.get("hard_negative") or "")
        true = set(t.get("labels") or ())
        y.append([lab.value in true for lab in LABELS])
        have = post.labels()
        rules.append([lab in have for lab in LABELS])
        if _candidate(f):
            key = (texts[i], m.sender.role.value)
            if key not in keys:
                keys[key] = len(keys)
                key_facts.append(f)
            row.append(keys[key])
        else:
            row.append(-1)
    roles = [r for _, r in keys]
    X = feature_matrix([t for t, _ in keys], key_facts, roles, n_word)
    allowed = np.array([[may_add(f, GATE_EVIDENCE), may_add(f, GATE_CANDIDATE)] for f in key_facts], dtype=bool).reshape(-1, 2)
    before = np.array([[lab in f.labels() for lab in LABELS] for f in key_facts], dtype=bool).reshape(-1, len(LABELS))
    refused_ = np.array([[[refused(lab, f, f.labels(), b) for b in (False, True)] for lab in LABELS] for f in key_facts],
                        dtype=bool).reshape(-1, len(LABELS), 2)
    return {"keys": list(keys), "X": X, "allowed": allowed, "before": before, "refused": refused_,
            "author": np.array(msg_author), "family": np.array(family), "hard": np.array(hard), "y": np.array(y, dtype=bool).reshape(-1, len(LABELS)),
            "rules": np.array(rules, dtype=bool).reshape(-1, len(LABELS)), "row": np.array(row, dtype=np.int64)}


_NOT_FACTS = {"training.py", "loao.py", "choices.py", "evaluate.py", "funnel.py", "linking.py"}  # code the cached facts do not depend on


def _cache_key(path: Path, authors: Mapping[str, str], n_word: int) -> str:
    """The rules' code and data (text/ sources, lexicons), the data files and the authors map."""
    import vaktpost.text as text_pkg
    from vaktpost.text.memo import fingerprint

    h = hashlib.sha256(f"{CACHE_VERSION}|{path.resolve()}|{n_word}|{sorted(authors.items())}".encode())
    h.update(fingerprint(use_learned=False).encode())
    root = Path(text_pkg.__file__).parent
    for src in sorted(root.rglob("*")):
        if src.is_file() and src.suffix in (".py", ".json", ".yaml", ".txt", ".tsv", ".csv") and src.name not in _NOT_FACTS:
            h.update(src.name.encode() + src.read_bytes())
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        st = f.stat()
        h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def part_of(path: Path, authors: Mapping[str, str], n_word: int = N_WORD, cache: Path | None = None, log=print) -> dict:
    if cache is None:
        return _part_of_dir(path, authors, n_word)
    cache.mkdir(parents=True, exist_ok=True)
    file = cache / f"{_cache_key(path, authors, n_word)}.pkl"
    if file.exists():
        with file.open("rb") as fh:
            return pickle.load(fh)  # our own cache file, written below
    part = _part_of_dir(path, authors, n_word)
    tmp = file.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(part, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(file)
    log(f"  scanned {path} ({len(part['author'])} messages, {len(part['keys'])} candidate texts); cached")
    return part


def build_corpus(paths: Sequence[Path], authors: Mapping[str, str], n_word: int = N_WORD, cache: Path | None = None, log=print) -> Corpus:
    """All given dirs (files) as one corpus; a candidate text met in several dirs is one row."""
    from scipy import sparse

    names: list[str] = []
    hard_classes: list[str] = []
    key_row: dict[tuple[str, str], int] = {}
    blocks, allowed, before, refused_ = [], [], [], []
    author, family, hard, y, rules, row = [], [], [], [], [], []
    for path in paths:
        if not path.exists():
            raise UserError("no such file or directory", str(path))
        part = part_of(path, authors, n_word, cache, log)
        local = np.empty(len(part["keys"]), dtype=np.int64)
        new = []
        for i, key in enumerate(part["keys"]):
            g = key_row.get(key)
            if g is None:
                g = key_row[key] = len(key_row)
                new.append(i)
            local[i] = g
        if new:
            blocks.append(part["X"][new])
            allowed.append(part["allowed"][new])
            before.append(part["before"][new])
            refused_.append(part["refused"][new])
        for a in part["author"]:
            if a not in names:
                names.append(str(a))
        for c in part["hard"]:
            if c and c not in hard_classes:
                hard_classes.append(str(c))
        author.append(np.array([names.index(a) for a in part["author"]], dtype=np.int16) if len(part["author"]) else np.zeros(0, np.int16))
        family.append(part["family"])
        code = {c: i for i, c in enumerate(hard_classes)}
        hard.append(np.array([code.get(c, -1) if c else -1 for c in part["hard"]], dtype=np.int16))
        y.append(part["y"])
        rules.append(part["rules"])
        r = part["row"]
        row.append(np.where(r >= 0, local[np.maximum(r, 0)] if len(local) else -1, -1))
    X = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, 1))
    L = len(LABELS)
    return Corpus(
        names, np.concatenate(author), np.concatenate(family), np.concatenate(y), np.concatenate(rules), np.concatenate(hard), hard_classes,
        np.concatenate(row), X, np.concatenate(allowed) if allowed else np.zeros((0, 2), bool),
        np.concatenate(before) if before else np.zeros((0, L), bool), np.concatenate(refused_) if refused_ else np.zeros((0, L, 2), bool),
    )


MINOR_COLS = [j for j, lab in enumerate(LABELS) if lab in (Label.MINOR_REQUEST, Label.MINOR_CONFIRMED, Label.CONTENT_REQUEST, Label.SELF_DISCLOSED_MINOR)]
