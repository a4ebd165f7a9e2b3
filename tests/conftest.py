"""Fixtures for every test: the reference corpus (when present); the docstring examples' names."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REFERENCE

pytest_plugins = ["tests.helpers.doctests"]


@pytest.fixture
def reference() -> Path:
    """The shared reference corpus; tests that need it are skipped where it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip("reference corpus not present")
    return REFERENCE
