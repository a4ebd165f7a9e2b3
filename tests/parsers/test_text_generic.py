"""The generic text parser: timestamped entries, paragraphs, pasted waagent --version output."""
from __future__ import annotations

from azlog_vmbackup.parsers import text_generic
from tests.helpers import run_parser

PASTE = """\
# waagent --version
WALinuxAgent-2.2.13 running on debian 8.7
Python: 2.7.9
Goal state agent: 2.2.15

# systemctl status walinuxagent
x walinuxagent.service - Azure Linux Agent
   Loaded: loaded (/lib/systemd/system/walinuxagent.service; enabled)
   Active: inactive (dead)
2017/09/01 12:49:09.601321 INFO WALinuxAgent-2.2.15 waiting for orphan process 4035 to terminate
Traceback (most recent call last):
  File "x.py", line 1
"""


def test_paragraphs_and_timestamped_entries():
    records, facts, problems = run_parser(text_generic, PASTE, "ticket.txt")
    assert [(r.line, r.message.count("\n") + 1, r.time is not None) for r in records] == [
        (1, 4, False), (6, 4, False), (10, 3, True)]
    assert records[2].local_time is True
    assert records[2].time.isoformat() == "2017-09-01T12:49:09.601321+00:00"
    assert problems == []


def test_waagent_version_output_gives_facts():
    _, facts, _ = run_parser(text_generic, PASTE, "ticket.txt")
    assert {k: facts.value(k) for k in ("daemon_version", "os_distro", "os_version", "python_version",
                                        "agent_version")} == {
        "daemon_version": "2.2.13", "os_distro": "debian", "os_version": "8.7",
        "python_version": "2.7.9", "agent_version": "2.2.15"}
    assert facts.get("agent_version").line == 4


def test_long_paragraph_is_split():
    records, _, _ = run_parser(text_generic, "\n".join(f"line {i}" for i in range(100)))
    assert [r.line for r in records] == [1, 41, 81]
