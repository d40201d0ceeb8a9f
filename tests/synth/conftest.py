"""Small worlds generated once per test session and shared by the synth tests."""

from __future__ import annotations

import pytest
from synth_worlds import World, make_world


@pytest.fixture(scope="session")
def mixed_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "mixed", messages=30_000, seed=11)


@pytest.fixture(scope="session")
def clean_train_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "train", messages=15_000, seed=5, split="train", perturb=0)


@pytest.fixture(scope="session")
def clean_test_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "test", messages=15_000, seed=6, split="test", perturb=0)


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory, "demo", scenario="demo", seed=7)
