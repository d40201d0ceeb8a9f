"""The numpy n-gram hasher must give scikit-learn's HashingVectorizer features exactly,
or the shipped weights would be applied to the wrong columns."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

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


def test_proba_texts_matches_sparse_path():
    from vaktpost.model import Role
    from vaktpost.text.learned import feature_matrix
    from vaktpost.text.labels import label_message
    from vaktpost.text.matcher import default_matcher
    from vaktpost.text.normalise import normalise_batch

    model = installed_model()
    if model is None:
        pytest.skip("no model installed")
    texts = normalise_batch(TEXTS)
    facts = [label_message(t, h, Role.CUSTOMER) for t, h in zip(texts, default_matcher().scan_batch(texts))]
    roles = ["customer"] * len(texts)
    cols = list(range(len(model.labels)))
    expected = model.proba(feature_matrix(texts, facts, roles))
    assert np.allclose(model.proba_texts(texts, facts, roles, cols), expected, atol=1e-9)
