"""Session 8: what every analysing process loads (the shipped model, the remembered patterns,
the configuration's fingerprint) is loaded faster and is the same as before, bit for bit."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from vaktpost.text import learned, memo
from vaktpost.text.learned import LearnedModel, _as_float32
from vaktpost.text.lexicon import Pattern, patterns_from_rows
from vaktpost.text.matcher import default_matcher


def test_every_float16_value_widens_as_numpy_widens_it():
    every = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)  # NaNs, infinities, subnormals
    table = every.reshape(256, 256)[:, ::-1]  # two-dimensional and not contiguous
    got = _as_float32(table)
    want = table.astype(np.float32)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))


def test_other_dtypes_are_widened_by_astype():
    a = np.array([[0.1, -2.5]], dtype=np.float64)
    assert np.array_equal(_as_float32(a), a.astype(np.float32)) and _as_float32(a).dtype == np.float32


def test_the_shipped_model_loads_the_weights_it_holds(tmp_path):
    path = learned.shipped_model_path()
    assert path.exists()
    model = LearnedModel.load(path)
    with np.load(path) as d:
        stored = d["coef"]
    assert stored.dtype == np.float16  # what the widening is for
    assert np.array_equal(model.coef.view(np.uint32), stored.astype(np.float32).view(np.uint32))
    assert model.coef.flags["C_CONTIGUOUS"]


def test_patterns_from_rows_are_the_patterns_the_rows_name():
    rows = [[1, "child", "en", r"\bkids?\b", "en.child.kids"], [2, "price", "tl", "magkano", "tl.price.magkano"]]
    got = patterns_from_rows(rows)
    assert got == tuple(Pattern(*r) for r in rows)
    assert [hash(p) for p in got] == [hash(Pattern(*r)) for r in rows]
    with pytest.raises(AttributeError):  # still frozen
        got[0].regex = "x"


def test_the_remembered_patterns_load_as_the_matcher_built_them():
    pats = default_matcher().patterns
    rows = json.loads(json.dumps([[p.id, p.category, p.language, p.regex, p.rule] for p in pats]))
    assert patterns_from_rows(rows) == pats


def test_the_fingerprint_hashes_the_patterns_as_one_update_per_pattern_did():
    h = hashlib.sha256()
    for p in default_matcher().patterns:
        h.update(f"{p.id}\x00{p.category}\x00{p.language}\x00{p.regex}\x00{p.rule}\x01".encode())
    model = learned.installed_model()
    if model is None:
        h.update(b"no model")
    else:
        for a in (model.coef, model.intercept, model.thresholds, model.modes):
            h.update(b"none" if a is None else np.ascontiguousarray(a).tobytes())
        h.update(",".join(label.value for label in model.labels).encode())
    h.update(json.dumps(sorted(memo.rule_scores().items())).encode())
    assert memo.fingerprint() == h.hexdigest()
