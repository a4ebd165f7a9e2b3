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


def test_agent_versions_wherever_the_agent_prints_them():
    paste = (
        "2016/11/14 08:20:01 Microsoft Azure Linux Agent Version: WALinuxAgent-2.0.18\n"
        "2016/11/14 08:20:02 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Guest Agent Version is "
        ":WALinuxAgent-2.0.16\n")
    _, facts, _ = run_parser(text_generic, paste, "pasted.txt")
    # the extension prints its own library's version; a 2.0 daemon is its own goal-state agent
    assert (facts.value("daemon_version"), facts.value("agent_version")) == ("2.0.18", "2.0.18")


def test_the_goal_state_agent_from_an_egg_path_and_a_2_0_version_output():
    tb = ('Traceback (most recent call last):\n'
          '  File "bin/WALinuxAgent-2.11.1.4-py3.9.egg/azurelinuxagent/ga/update.py", line 355, in run\n'
          '  File "/usr/lib/python3/dist-packages/azurelinuxagent/common/event.py", line 55, in add_event\n')
    _, facts, _ = run_parser(text_generic, tb)
    assert facts.value("agent_version") == "2.11.1.4" and "daemon_version" not in facts
    _, facts, _ = run_parser(text_generic, "# waagent -version\nWALinuxAgent-2.0.16 running on Ubuntu\n")
    assert {k: facts.value(k) for k in ("daemon_version", "agent_version", "os_distro")} == {
        "daemon_version": "2.0.16", "agent_version": "2.0.16", "os_distro": "Ubuntu"}
    assert "os_version" not in facts


def test_no_version_from_site_packages_paths_or_downloads():
    text = ('  File "/usr/lib/python2.7/site-packages/azurelinuxagent/daemon/main.py", line 69, in run\n'
            "2018/07/04 13:02:43.566209 INFO Daemon Agent WALinuxAgent-2.2.32 is blacklisted - skipping download\n")
    _, facts, _ = run_parser(text_generic, text)
    assert "agent_version" not in facts and "daemon_version" not in facts
