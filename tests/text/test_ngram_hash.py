"""The numpy n-gram hasher must give scikit-learn's HashingVectorizer features exactly,
or the shipped weights would be applied to the wrong columns."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaktpost.text.learned import N_HASH, NGRAMS, _vectorizer, installed_model
from vaktpost.text.ngram_hash import NgramHasher, murmurhash3_32

murmurhash = pytest.importorskip("sklearn.utils.murmurhash")


@given(st.binary(max_size=40))
@settings(max_examples=100, deadline=None)
def test_murmurhash_matches_sklearn(data):
    assert murmurhash3_32(data) == murmurhash.murmurhash3_32(data, seed=0)


TEXTS = [
    "do you have a younger one? 12 or so",
    "meron ka bang mas bata?",
    "hei, er du på nett i kveld? æøå",
    "  spaced   out\ttabs and a",
    "",
    "x",
    "pila ang bayad? 500 php po, gcash 🙂",
]


@given(st.lists(st.text(max_size=30), max_size=6))
@settings(max_examples=25, deadline=None)
def test_weighted_matches_hashing_vectorizer(texts):
    texts = TEXTS + texts
    X = _vectorizer().transform(texts).toarray()
    r, c, v = NgramHasher(N_HASH, NGRAMS).weighted(texts)
    Y = np.zeros_like(X)
    Y[r, c] = v
    assert np.allclose(X, Y, atol=1e-12)


def _random_model(n_word: int):
    from vaktpost.text.learned import LABELS, N_RULE, LearnedModel

    rng = np.random.default_rng(7)
    coef = rng.normal(size=(len(LABELS), N_HASH + n_word + N_RULE)).astype(np.float32)
    return LearnedModel(coef, rng.normal(size=len(LABELS)).astype(np.float32), np.full(len(LABELS), 0.5, np.float32), LABELS, None, n_word)


@pytest.mark.parametrize("which", ["installed", "chars", "chars+words"])
def test_proba_texts_matches_sparse_path(which):
    """The numpy path at scan time equals the training-time sparse matrix, word block included."""
    from vaktpost.model import Role
    from vaktpost.text.labels import label_message
    from vaktpost.text.learned import N_WORD, feature_matrix
    from vaktpost.text.matcher import default_matcher
    from vaktpost.text.normalise import normalise_batch

    model = {"installed": installed_model, "chars": lambda: _random_model(0), "chars+words": lambda: _random_model(N_WORD)}[which]()
    if model is None:
        pytest.skip("no model installed")
    texts = normalise_batch(TEXTS)
    facts = [label_message(t, h, Role.CUSTOMER) for t, h in zip(texts, default_matcher().scan_batch(texts))]
    roles = ["customer"] * len(texts)
    cols = list(range(len(model.labels)))
    expected = model.proba(feature_matrix(texts, facts, roles, model.n_word))
    assert np.allclose(model.proba_texts(texts, facts, roles, cols), expected, atol=1e-6)
    assert np.allclose(model.proba_texts(texts, facts, roles, cols[3:7]), expected[:, 3:7], atol=1e-6)


def test_word_hasher_counts_unigrams_and_bigrams():
    from zlib import crc32

    from vaktpost.text.ngram_hash import WordHasher

    h = WordHasher(2**15)
    cols = h.columns("is she 12 ?")
    expected = [crc32(g.encode()) % 2**15 for g in ("u:is", "u:she", "u:12", "u:?", "b:is she", "b:she 12", "b:12 ?")]
    assert cols == expected
    r, _, v = h.weighted(["a a b", ""])
    assert set(r.tolist()) == {0} and np.isclose((v**2).sum(), 1.0)


def test_scanning_imports_neither_sklearn_nor_scipy():
    """Importing scikit-learn cost ~1.5–2.5 s per `vaktpost scan` process."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tests.text.helpers import chat\n"
        "from vaktpost.text import analyse_conversation\n"
        "from vaktpost.text.learned import installed_model\n"
        "out = analyse_conversation(chat(('b', 'do you have a younger one? 12'), ('p', 'yes, 30 usd via gcash')))\n"
        "assert out, 'no findings'\n"
        "assert installed_model() is not None\n"
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))\n"
    )
    import os

    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
