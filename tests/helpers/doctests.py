"""A pytest plugin: what every docstring example in the package may use without setting it up.

Parser docstrings then show a member's bytes going in and records and facts
coming out: ``io``, ``Facts``, ``ParseContext`` and ``context(path)`` (a fresh
parse context) are there already.
"""
from __future__ import annotations

import io

import pytest

from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers.base import ParseContext
from tests.helpers import context


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(io=io, Facts=Facts, ParseContext=ParseContext, context=context)
