"""Tests for parsers.journal: journalctl's output modes, joined tracebacks, names and sniffing, skimming."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from azlog_vmbackup.parsers import journal, registry, syslog
from tests.helpers import run_parser


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(syslog, "_now", lambda: at("2026-12-01T00:00:00"))


SHORT = """\
-- Logs begin at Fri 2026-11-20 00:58:01 UTC, end at Fri 2026-11-20 01:03:00 UTC. --
Nov 20 01:02:07 vm-db02 systemd[1]: Starting Azure Linux Agent...
Nov 20 01:02:08 vm-db02 python3[1822]: Traceback (most recent call last):
Nov 20 01:02:08 vm-db02 python3[1822]:   File "/usr/sbin/waagent", line 35, in <module>
Nov 20 01:02:08 vm-db02 python3[1822]:     import azurelinuxagent.agent as agent
Nov 20 01:02:08 vm-db02 python3[1822]: ModuleNotFoundError: No module named 'azurelinuxagent'
Nov 20 01:02:08 vm-db02 systemd[1]: walinuxagent.service: Main process exited, code=exited, status=1/FAILURE
-- Reboot --
Nov 20 01:05:00 vm-db02 systemd[1]: Started Azure Linux Agent.
"""


def test_short_mode_joins_the_traceback():
    records, facts, problems = run_parser(journal, SHORT, "sos_commands/logs/journalctl_--no-pager")
    assert problems == []
    assert [(r.line, r.component, r.message.count("\n")) for r in records] == [
        (1, None, 0), (2, "systemd", 0), (3, "python3", 3), (7, "systemd", 0), (8, None, 0), (9, "systemd", 0)]
    assert records[2].time == at("2026-11-20T01:02:08") and records[2].local_time
    assert records[2].message.splitlines()[-1].endswith("No module named 'azurelinuxagent'")
    assert facts.value("hostname") == "vm-db02"


@pytest.mark.parametrize("line, time, local", [
    ("2026-11-20T01:02:08+0000 vm1 systemd[1]: x", "2026-11-20T01:02:08", False),  # short-iso
    ("2026-11-20T02:02:08.118233+01:00 vm1 systemd[1]: x", "2026-11-20T01:02:08.118233", False),  # short-iso-precise
    ("Nov 20 01:02:08.118233 vm1 systemd[1]: x", "2026-11-20T01:02:08.118233", True),  # short-precise
    ("Fri 2026-11-20 01:02:08 UTC vm1 systemd[1]: x", "2026-11-20T01:02:08", False),  # short-full
    ("Fri 2026-11-20 02:02:08 CET vm1 systemd[1]: x", "2026-11-20T02:02:08", True),
    ("1795136528.5 vm1 systemd[1]: x", "2026-11-20T01:02:08.500000", False),  # short-unix
    ("[   12.345678] vm1 systemd[1]: x", None, False),  # short-monotonic
])
def test_text_modes(line, time, local):
    records, _, _ = run_parser(journal, line + "\n")
    assert len(records) == 1
    r = records[0]
    assert (r.time, r.local_time, r.component) == (at(time) if time else None, local, "systemd")


def _entry(message, pid="1822", ident="python3", priority="3", stamp="1795136528000000", **more):
    return json.dumps({"__REALTIME_TIMESTAMP": stamp, "_HOSTNAME": "vm-db02", "SYSLOG_IDENTIFIER": ident,
                       "_PID": pid, "PRIORITY": priority, "MESSAGE": message, **more})


def test_json_entries_render_as_short_iso_and_join():
    data = "\n".join([
        _entry("Traceback (most recent call last):"),
        _entry('  File "/usr/sbin/waagent", line 35, in <module>'),
        _entry("ModuleNotFoundError: No module named 'azurelinuxagent'"),
        _entry(list(b"Failed to start Azure Linux Agent."), pid="1", ident="systemd", priority="3"),
        "\x1e" + _entry("Started Session 4 of user azureuser.", pid="1", ident="systemd", priority="6"),
        _entry("one\ntwo", ident="sh", pid="77", priority="4"),
    ]) + "\n"
    records, _, _ = run_parser(journal, data)
    assert [(r.line, r.component, r.level, r.message.count("\n")) for r in records] == [
        (1, "python3", "ERROR", 2), (4, "systemd", "ERROR", 0), (5, "systemd", "INFO", 0), (6, "sh", "WARNING", 1)]
    assert records[0].message.splitlines()[1] == (
        '2026-11-20T01:02:08.000000+00:00 vm-db02 python3[1822]:   File "/usr/sbin/waagent", line 35, in <module>')
    assert records[1].message.endswith("systemd[1]: Failed to start Azure Linux Agent.")
    assert records[3].message.splitlines()[1] == "    two"
    assert records[0].time == at("2026-11-20T01:02:08")


def test_json_pretty_and_broken_json():
    entry = json.dumps({"__REALTIME_TIMESTAMP": "1795136528000000", "_HOSTNAME": "vm1", "_COMM": "systemd",
                        "_PID": "1", "MESSAGE": "Stopped Azure Linux Agent."}, indent=8)
    data = entry + "\n{\n   \"MESSAGE\": \"never closed\n{\"MESSAGE\": 1\n"
    records, _, problems = run_parser(journal, data)
    assert records[0].line == 1 and records[0].message.endswith("vm1 systemd[1]: Stopped Azure Linux Agent.")
    assert problems == []
    assert all(r.time is None for r in records[1:])


def test_agent_version_facts():
    data = ("Nov 20 01:02:08 vm-db02 python3[1822]: 2026-11-20T01:02:08.500000Z INFO ExtHandler ExtHandler "
            "Agent WALinuxAgent-2.12.0.4 is running as the goal state agent\n")
    _, facts, _ = run_parser(journal, data)
    assert facts.value("agent_version") == "2.12.0.4"


@pytest.mark.parametrize("path", [
    "sos_commands/logs/journalctl_--no-pager", "sosreport-vm1/sos_commands/logs/journalctl_--no-pager_--boot",
    "journalctl.txt", "logs/journalctl-u-walinuxagent.log", "journalctl_-o_json.json",
])
def test_named_members(path):
    assert registry.classify(path).name == "journal"


@pytest.mark.parametrize("head, expected", [
    (SHORT, True),
    (_entry("x") + "\n", True),
    ("Fri 2026-11-20 01:02:08 UTC vm1 systemd[1]: x\nFri 2026-11-20 01:02:09 UTC vm1 systemd[1]: y\n", True),
    ("1795136528.5 vm1 systemd[1]: x\n", True),
    ("Nov 20 01:02:08 vm1 systemd[1]: plain syslog\n", False),
    ('{"not": "a journal"}\n', False),
    ("2026-11-20T01:02:08.000001Z INFO Daemon Daemon x\n", False),
    ("", False),
])
def test_sniff(head, expected):
    assert journal.sniff(head) is expected
    if expected:
        assert registry.sniff(head).name == "journal"


def test_is_start_agrees_with_the_parser():
    lines = SHORT.splitlines()
    assert [journal.is_start(line) for line in lines] == [True, True, True, False, False, False, True, True, True]
    assert journal.is_start(_entry("  File \"x.py\", line 1")) is False
    assert journal.is_start(_entry("Started x.")) is True


def test_skimming_gives_the_full_result(tmp_path, monkeypatch):
    from azlog_vmbackup.analyzer.apps.analyze import analyze
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.matching import skim

    routine = "Nov 20 00:%02d:%02d vm-db02 CRON[%d]: (root) CMD (run-parts --report /etc/cron.hourly)\n"
    lines = [routine % (i // 60 % 60, i % 60, 100 + i) for i in range(500)]
    for at_line in (40, 260):
        lines[at_line:at_line] = SHORT.splitlines(keepends=True)[2:7]
    lines[100:100] = [_entry("Traceback (most recent call last):") + "\n",
                      _entry('  File "/usr/sbin/waagent", line 35, in <module>') + "\n",
                      _entry("ImportError: No module named azurelinuxagent.agent") + "\n"]
    lines[300:300] = [_entry('  File "/usr/lib/python3/dist-packages/azurelinuxagent/common/conf.py", line 104, in '
                             'load_conf_from_file', pid="2001") + "\n",
                      _entry("OSError: [Errno 5] Input/output error", pid="2001") + "\n"]
    log = tmp_path / "journalctl.txt"
    log.write_text("".join(lines))
    knowledge = Knowledge.load()
    monkeypatch.setattr(skim, "PIECE", 600)
    monkeypatch.setattr(skim, "TAIL", 0)
    full = analyze(log, knowledge, skim=False).as_dict()
    skimmed = analyze(log, knowledge).as_dict()
    for result in (full, skimmed):
        for entry in result["inventory"]:
            entry.pop("records")
    assert skimmed == full
    assert full["inventory"][0]["spec"] == "journal"
    assert full["diagnoses"][0]["cause"] == "agent-unresponsive-linux"


def test_no_hint_holds_a_character_a_json_export_escapes():
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.matching.matcher import reads
    from azlog_vmbackup.core.model import OS

    escaped = [(s.id, h) for s in Knowledge.load().signatures if s.os is not OS.WINDOWS and reads(s, "journal")
               for h in s.hints if '"' in h or "\\" in h]
    assert escaped == []  # the skimmer looks for hints in the raw JSON text (see journal.SKIM)
