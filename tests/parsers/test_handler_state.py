"""Tests for parsers.handler_state."""
from __future__ import annotations

import pytest

from azlog_vmbackup.parsers import handler_state
from tests.helpers import run_parser

VMSNAP_DIR = "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/config"


@pytest.mark.parametrize("text, level", [
    ("Enabled", "INFO"), ("Installed", "INFO"), ("NotInstalled", "WARNING"),
    ("FailedUpgrade", "ERROR"), ("Failed", "ERROR"), ("enabled", "INFO"), ("disabled", "WARNING"),
])
def test_states(text, level):
    records, facts, problems = run_parser(handler_state, text + "\n", f"{VMSNAP_DIR}/HandlerState")
    assert problems == []
    assert [(r.line, r.message, r.level, r.component, r.time) for r in records] == [
        (1, f"HandlerState={text}", level, "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", None)]
    assert facts.value("handler_state") == text
    assert facts.get("handler_state").line == 1


def test_other_handler_sets_no_fact():
    records, facts, problems = run_parser(
        handler_state, b"Enabled", "var/lib/waagent/Microsoft.Azure.Extensions.CustomScript-2.1.10/config/HandlerState")
    assert [(r.message, r.component) for r in records] == [
        ("HandlerState=Enabled", "Microsoft.Azure.Extensions.CustomScript")]
    assert facts.as_dict() == {} and problems == []


def test_multi_config_state_file():
    records, facts, _ = run_parser(handler_state, "disabled", f"{VMSNAP_DIR}/backup.HandlerState")
    assert [r.message for r in records] == ["HandlerState=disabled"]
    assert facts.value("handler_state") == "disabled"


def test_empty_and_unknown_values():
    records, facts, problems = run_parser(handler_state, "  \n", f"{VMSNAP_DIR}/HandlerState")
    assert records == [] and problems == ["empty handler state"] and facts.as_dict() == {}
    records, facts, problems = run_parser(handler_state, "Broken\nstate", f"{VMSNAP_DIR}/HandlerState")
    assert problems == ["unknown handler state 'Broken\\\\nstate'"]
    assert [(r.message, r.level) for r in records] == [("HandlerState=Broken\\nstate", "INFO")]


def test_oversized_file():
    records, _, problems = run_parser(handler_state, b"E" * 5000, f"{VMSNAP_DIR}/HandlerState")
    assert records == [] and problems == ["not read: larger than 4096 bytes"]
