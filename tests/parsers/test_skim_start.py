"""Every parser's raw record start (``Skim.start``) is a record start by the parser's own rule.

The skimmer takes a line its ``start`` matches (raw bytes, plain ASCII pieces) for a record's first line without
asking the parser; a line it does not match is asked ``is_start``. So each ``start`` must be a sufficient
condition: generated lines it matches must all be record starts for ``is_start``.
"""
from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.parsers import registry

STARTS = [(name, skim) for name in registry.PARSERS
          if (skim := getattr(importlib.import_module(f"azlog_vmbackup.parsers.{name}"), "SKIM", None)) is not None
          and skim.start is not None]


def test_the_parsers_that_give_a_raw_start():
    assert [name for name, _ in STARTS] == ["waagent_log", "vmsnapshot_log", "waappagent_log"]


@pytest.mark.parametrize(("name", "skim"), STARTS, ids=[name for name, _ in STARTS])
def test_a_raw_start_is_a_record_start(name, skim):
    pattern = re.compile(skim.start.encode())

    @settings(max_examples=300, deadline=None)
    @given(st.from_regex(("(?:" + skim.start + ")[ -~]*").encode(), fullmatch=True))
    def check(raw):
        assert pattern.match(raw) is not None
        assert skim.is_start(raw.decode("ascii")), raw

    check()
