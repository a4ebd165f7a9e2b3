"""Tests for parsers.systemctl_status: unit blocks, the journal lines under them, facts, names and sniffing."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from azlog_vmbackup.parsers import registry, syslog, systemctl_status
from tests.helpers import run_parser


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(syslog, "_now", lambda: at("2026-12-01T00:00:00"))


AUTO_RESTART = """\
$ systemctl status waagent
\u25cf waagent.service - Microsoft Azure Linux Agent
   Loaded: loaded (/usr/lib/systemd/system/waagent.service; enabled; vendor preset: enabled)
   Active: activating (auto-restart) (Result: exit-code) since Tue 2019-01-08 07:42:24 UTC; 4s ago
  Process: 43628 ExecStart=/usr/bin/python -u /usr/sbin/waagent -daemon (code=exited, status=1/FAILURE)
 Main PID: 43628 (code=exited, status=1/FAILURE)
   CGroup: /system.slice/waagent.service

Jan 08 07:42:24 vm-app3 python[43628]:   File "/usr/lib/python2.7/site-packages/azurelinuxagent/agent.py", line 41
Jan 08 07:42:24 vm-app3 python[43628]:     conf.load_conf_from_file(conf_file_path)
Jan 08 07:42:24 vm-app3 python[43628]: azurelinuxagent.common.exception.AgentConfigError: [AgentConfigError] x
Jan 08 07:42:24 vm-app3 systemd[1]: Unit waagent.service entered failed state.
"""


def test_a_block_then_its_journal_lines():
    records, facts, problems = run_parser(systemctl_status, AUTO_RESTART, "systemctl-status-waagent.txt")
    assert problems == []
    assert [(r.line, r.component, r.message.count("\n")) for r in records] == [
        (1, None, 0), (2, "waagent.service", 5), (9, "python", 2), (12, "systemd", 0)]
    block = records[1]
    assert block.time == at("2019-01-08T07:42:24") and not block.local_time
    assert block.message.splitlines()[2].strip().startswith("Active: activating (auto-restart)")
    assert records[2].time == at("2019-01-08T07:42:24")  # the year the block names, not this year
    assert {k: facts.value(k) for k in ("agent_service_state", "agent_service_enabled", "hostname")} == {
        "agent_service_state": "activating (auto-restart) (Result: exit-code)", "agent_service_enabled": "enabled",
        "hostname": "vm-app3"}


def test_status_all_keeps_units_apart_and_reads_the_running_agent_s_version():
    data = ("\u25cf cron.service - Regular background program processing daemon\n"
            "     Loaded: loaded (/lib/systemd/system/cron.service; enabled; vendor preset: enabled)\n"
            "     Active: inactive (dead)\n"
            "\n"
            "\u25cb waagent.service\n"
            "     Loaded: not-found (Reason: Unit waagent.service not found.)\n"
            "     Active: inactive (dead)\n"
            "\n"
            "\u25cf walinuxagent.service - Azure Linux Agent\n"
            "     Loaded: loaded (/lib/systemd/system/walinuxagent.service; enabled; vendor preset: enabled)\n"
            "     Active: active (running) since Fri 2026-11-20 00:58:19 CET; 4 days ago\n"
            "   Main PID: 507 (python3)\n"
            "     CGroup: /azure.slice/walinuxagent.service\n"
            "             \u251c\u2500507 /usr/bin/python3 -u /usr/sbin/waagent -daemon\n"
            "             \u2514\u2500557 python3 -u bin/WALinuxAgent-2.12.0.4-py3.9.egg -run-exthandlers\n")
    records, facts, _ = run_parser(systemctl_status, data, "sos_commands/systemd/systemctl_status_--all")
    _, first_only, _ = run_parser(systemctl_status, data.split("\n\n\u25cf walinuxagent")[0])
    assert "agent_service_state" not in first_only  # waagent.service is only named there
    assert [(r.line, r.component) for r in records] == [
        (1, "cron.service"), (5, "waagent.service"), (9, "walinuxagent.service")]
    assert records[2].time == at("2026-11-20T00:58:19") and records[2].local_time
    assert facts.value("agent_service_state") == "active (running)"
    assert facts.value("agent_version") == "2.12.0.4"


def test_other_lines_are_paragraphs():
    data = "Unit waagent.service could not be found.\nsecond line\n\n[root@vm ~]# \n"
    records, facts, _ = run_parser(systemctl_status, data)
    assert [(r.line, r.message.count("\n")) for r in records] == [(1, 1), (4, 0)]
    assert "agent_service_state" not in facts


@pytest.mark.parametrize("path", [
    "sos_commands/systemd/systemctl_status_--all", "systemctl-status-waagent.txt",
    "notes/systemctl_status_walinuxagent.log",
])
def test_named_members(path):
    assert registry.classify(path).name == "systemctl_status"


@pytest.mark.parametrize("head, expected", [
    (AUTO_RESTART, True),
    ("walinuxagent.service - Azure Linux Agent\n   Loaded: loaded (/lib/systemd/system/walinuxagent.service)\n", True),
    ("Nov 20 01:02:08 vm1 systemd[1]: walinuxagent.service: Failed with result 'exit-code'.\n", False),
    ("please check waagent.service\nthanks\n", False),
    ("", False),
])
def test_sniff(head, expected):
    assert systemctl_status.sniff(head) is expected
    if expected:
        assert registry.sniff(head).name == "systemctl_status"
