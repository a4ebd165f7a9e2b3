"""Tests for parsers.heartbeat."""
from __future__ import annotations

import pytest

from azlog_vmbackup.parsers import heartbeat
from tests.helpers import run_parser

PATH = "var/lib/waagent/Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.30.3/heartbeat.log"


@pytest.mark.parametrize("status, level", [("ready", "INFO"), ("Ready", "INFO"), ("notready", "WARNING"),
                                           ("error", "ERROR")])
def test_heartbeat(status, level):
    data = ('[{"version": 1.0, "heartbeat": {"status": "%s", "code": 0, '
            '"formattedMessage": {"lang": "en-US", "message": "Extension is running"}}}]' % status)
    records, facts, problems = run_parser(heartbeat, data, PATH)
    assert problems == [] and facts.as_dict() == {}
    assert [(r.line, r.level, r.component, r.time, r.message) for r in records] == [
        (1, level, "Microsoft.Azure.Monitor.AzureMonitorLinuxAgent", None,
         f"heartbeat status={status} code=0 message=Extension is running")]


def test_missing_parts():
    records, _, problems = run_parser(heartbeat, '[{"version": 1.0, "heartbeat": {"code": "3"}}, {"x": 1}]', PATH)
    assert problems == ["heartbeat entry has no heartbeat object"]
    assert [(r.level, r.message) for r in records] == [("WARNING", "heartbeat status= code=3 message=")]


def test_malformed():
    records, _, problems = run_parser(heartbeat, '[{"version": 1.0, "heartbeat": ', PATH)
    assert records == [] and len(problems) == 1 and problems[0].startswith("not valid JSON")
    records, _, problems = run_parser(heartbeat, '[{"heartbeat": {"status": ["x"], "code": 0}}]', PATH)
    assert problems == ["heartbeat.status has the wrong type (list)"]
    assert [r.message for r in records] == ["heartbeat status= code=0 message="]
