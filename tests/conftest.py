"""Shared fixtures. Tests never touch the user's cache: MATCHER_CACHE_DIR points at a
session folder (set MATCHER_TEST_CACHE to reuse one across runs, as CI does)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"


def pytest_configure(config):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if "MATCHER_TEST_CACHE" in os.environ:
        os.environ["MATCHER_CACHE_DIR"] = os.environ["MATCHER_TEST_CACHE"]
    else:
        import tempfile

        os.environ["MATCHER_CACHE_DIR"] = tempfile.mkdtemp(prefix="matcher-test-cache-")


@pytest.fixture(scope="session")
def mini_dir() -> Path:
    return MINI


@pytest.fixture(scope="session")
def mini_index(tmp_path_factory) -> Path:
    """An index of the fictional mini corpus, built once with the real default model."""
    from matcher import Matcher

    folder = tmp_path_factory.mktemp("mini") / "index"
    Matcher.build([MINI]).save(folder)
    return folder


@pytest.fixture
def mini_index_copy(mini_index, tmp_path) -> Path:
    """A private copy a test may damage."""
    target = tmp_path / "index"
    shutil.copytree(mini_index, target)
    return target


@pytest.fixture(scope="session")
def mini_matcher(mini_index):
    from matcher import Matcher

    return Matcher.load(mini_index)
