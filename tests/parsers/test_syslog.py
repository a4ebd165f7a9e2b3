"""Tests for parsers.syslog."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import syslog
from azlog_vmbackup.parsers.base import ParseContext
from tests.helpers import run_parser

SAMPLE = (
    "May 14 02:05:02 localhost kernel: [    0.000000] Linux version 5.15.0-1064-azure\n"
    "May 14 02:05:02 vm-web01 systemd[1]: Started Azure Linux Agent.\n"
    "May 14 02:05:03 vm-web01 python3[912]: 2024-05-14T02:05:03.114527Z INFO Daemon Daemon "
    "Azure Linux Agent Version: 2.9.1.1\n"
    "\n"
    "May  4 12:00:00 vm-web01 WALinuxAgent: WARNING ExtHandler Fetch failed\n"
    "May 14 02:06:00 vm-web01 CRON[2231]: (root) CMD (command -v debian-sa1 > /dev/null)\n"
    "May 14 02:06:01 vm-web01 message repeated 3 times: [ Failed password for root]\n"
    "-- Boot 3f2a9c1e0b7d4a55a2c4d8e6f1b2c3d4 --\n"
    "2024-05-14T04:06:10.482113+02:00 vm-web01 kernel: [  241.004213] hv_storvsc vmbus_0_11: "
    "cmd 0x2a scsi status 0x2\n"
    "2024-05-14T02:07:00+0000 vm-web01 sshd[4410]: error: kex_exchange_identification: closed\n"
    "2024-05-14T02:07:01.250000Z vm-web01 waagent[980]: GET https://md-x.blob.core.windows.net/"
    "d/abcd?sv=2020-08-04&sig=Zm9vYmFy%3D&se=2024 failed\n"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(syslog, "_now", lambda: at("2024-06-01T00:00:00"))


def run_with_year(data: str, year):
    facts = Facts()
    facts.set("bundle_year", year, "bundle")
    ctx = ParseContext("var/log/syslog", facts, [])
    return list(syslog.parse(io.BytesIO(data.encode()), ctx))


def test_records():
    records, facts, problems = run_parser(syslog, SAMPLE, "var/log/syslog")
    assert problems == []
    assert [r.line for r in records] == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
    assert [r.component for r in records] == ["kernel", "systemd", "python3", "WALinuxAgent", "CRON",
                                             None, None, "kernel", "sshd", "waagent"]
    assert [r.level for r in records] == [None, None, "INFO", "WARNING", None, None, None, None, None, None]
    assert [r.time for r in records] == [
        at("2024-05-14T02:05:02"), at("2024-05-14T02:05:02"), at("2024-05-14T02:05:03"),
        at("2024-05-04T12:00:00"), at("2024-05-14T02:06:00"), at("2024-05-14T02:06:01"), None,
        at("2024-05-14T02:06:10.482113"), at("2024-05-14T02:07:00"), at("2024-05-14T02:07:01.250000")]
    assert [r.local_time for r in records] == [True] * 6 + [False] * 4
    assert records[1].message == "May 14 02:05:02 vm-web01 systemd[1]: Started Azure Linux Agent."
    assert "sig=***&se=2024" in records[-1].message
    assert "Zm9vYmFy" not in records[-1].message


def test_hostname_fact_is_the_last_line_s_skipping_localhost():
    _, facts, _ = run_parser(syslog, SAMPLE + "May 14 02:08:00 localhost kernel: renamed\n", "var/log/syslog")
    fact = facts.get("hostname")
    assert (fact.value, fact.line, fact.time) == ("vm-web01", 11, at("2024-05-14T02:07:01.250000"))


def test_year_rollover_in_current_year(monkeypatch):
    monkeypatch.setattr(syslog, "_now", lambda: at("2024-01-02T08:00:00"))
    data = ("Dec 31 23:59:58 vm1 systemd[1]: Stopping x\n"
            "Jan  1 00:00:01 vm1 systemd[1]: Started x\n")
    records, _, _ = run_parser(syslog, data)
    assert [r.time for r in records] == [at("2023-12-31T23:59:58"), at("2024-01-01T00:00:01")]


def test_year_hint_from_bundle_year():
    data = ("Dec 31 23:59:58 vm1 systemd[1]: Stopping x\n"
            "Jan  1 00:00:01 vm1 systemd[1]: Started x\n")
    assert [r.time for r in run_with_year(data, 2022)] == [
        at("2022-12-31T23:59:58"), at("2022-01-01T00:00:01")]
    assert [r.time for r in run_with_year(data, 2024)] == [
        at("2023-12-31T23:59:58"), at("2024-01-01T00:00:01")]
    assert [r.time for r in run_with_year(data, "not a year")] == [
        at("2023-12-31T23:59:58"), at("2024-01-01T00:00:01")]


def test_leap_day_outside_a_leap_year_goes_back():
    records = run_with_year("Feb 29 10:00:00 vm1 kernel: x\n", 2025)
    assert records[0].time == at("2024-02-29T10:00:00")


def test_bad_dates_give_no_time():
    records, _, problems = run_parser(syslog, "Feb 31 10:00:00 vm1 kernel: x\n"
                                              "2024-13-01T00:00:00Z vm1 kernel: y\n"
                                              "9999-12-31T23:59:59-23:59 vm1 kernel: z\n")
    assert [(r.line, r.time, r.component) for r in records] == [
        (1, None, "kernel"), (2, None, "kernel"), (3, None, "kernel")]
    assert problems == []


def test_binary_garbage_does_not_raise():
    records, _, _ = run_parser(syslog, b"\xff\xfe\x00\x01May 14\n\x00\x00\n" * 3)
    assert all(r.time is None for r in records)


PIECES = ["May 14 02:05:02 ", "Feb 29 23:59:59 ", "9999-12-31T23:59:59-23:59 ", "0001-01-01T00:00:00+23:59 ",
          "vm1 ", "kernel: ", "prog[1]: ", "INFO ", "\n", "\x00", "\udcff", "sig=x ", "-- Boot x --"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES)).map("".join))
def test_never_raises(text):
    records, _, _ = run_parser(syslog, text.encode("utf-8", "surrogateescape"))
    assert all("sig=x" not in r.message for r in records)
    syslog.sniff(text)


def test_sniff_positive():
    assert syslog.sniff(SAMPLE[:4096])
    assert syslog.sniff("-- Logs begin at Tue 2024-05-14 01:00:00 UTC. --\n"
                        "2024-05-14T02:05:02+0000 vm1 systemd[1]: Started x.\n")


@pytest.mark.parametrize("head", [
    "2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\n"
    "2024-05-14T02:05:03.123456Z WARNING ExtHandler ExtHandler y\n",
    "2024-05-14 02:05:02,117 - util.py[DEBUG]: Cloud-init v. 23.4 running 'init'\n",
    "2024/05/14 02:35:40.118207  Info  starting enable \n",
    "[    0.000000] Linux version 5.15.0-1064-azure\n",
    "",
])
def test_sniff_negative(head):
    assert not syslog.sniff(head)


# --- multi-line messages: a traceback a service printed, one prefixed line at a time ---

TRACEBACK = (
    "May 14 02:07:10 vm-web01 systemd[1]: Starting Azure Linux Agent...\n"
    "May 14 02:07:11 vm-web01 python3[1301]: Traceback (most recent call last):\n"
    'May 14 02:07:11 vm-web01 python3[1301]:   File "/usr/sbin/waagent", line 35, in <module>\n'
    "May 14 02:07:11 vm-web01 python3[1301]:     import azurelinuxagent.agent as agent\n"
    "May 14 02:07:11 vm-web01 python3[1301]: ModuleNotFoundError: No module named 'azurelinuxagent'\n"
    "May 14 02:07:11 vm-web01 python3[1302]:   File \"/usr/sbin/other\", line 1\n"
    "May 14 02:07:11 vm-web01 systemd[1]: walinuxagent.service: Main process exited, code=exited, status=1/FAILURE\n"
)


def test_a_traceback_of_one_prog_pid_is_one_record():
    records, _, _ = run_parser(syslog, TRACEBACK, "var/log/syslog")
    assert [(r.line, r.component, r.message.count("\n")) for r in records] == [
        (1, "systemd", 0), (2, "python3", 3), (6, "python3", 0), (7, "systemd", 0)]
    joined = records[1].message.splitlines()
    assert joined[0].endswith("Traceback (most recent call last):")
    assert joined[-1].endswith("ModuleNotFoundError: No module named 'azurelinuxagent'")
    assert records[1].time == at("2024-05-14T02:07:11")


def test_a_traceback_line_opens_a_record_and_a_chained_exception_stays_with_its_own():
    data = ("May 14 02:07:11 vm1 python3[7]: 2024-05-14T02:07:11.000001Z INFO Daemon Daemon Run daemon\n"
            "May 14 02:07:12 vm1 python3[7]: Traceback (most recent call last):\n"
            "May 14 02:07:12 vm1 python3[7]:   File \"a.py\", line 1, in f\n"
            "May 14 02:07:12 vm1 python3[7]: KeyError: 'x'\n"
            "May 14 02:07:12 vm1 python3[7]: \n"
            "May 14 02:07:12 vm1 python3[7]: During handling of the above exception, another exception occurred:\n"
            "May 14 02:07:12 vm1 python3[7]: Traceback (most recent call last):\n"
            "May 14 02:07:12 vm1 python3[7]:   File \"a.py\", line 3, in g\n"
            "May 14 02:07:12 vm1 python3[7]: azurelinuxagent.common.exception.ProtocolError: [ProtocolError] x\n")
    records, _, _ = run_parser(syslog, data)
    assert [(r.line, r.message.count("\n")) for r in records] == [(1, 0), (2, 4), (7, 2)]
    assert records[0].level == "INFO"


def test_continuation_needs_a_pid_and_lines_without_a_header_join_when_indented():
    data = ("May 14 02:07:11 vm1 kernel: first\n"
            "May 14 02:07:11 vm1 kernel:  second, indented\n"
            "May 14 02:07:12 vm1 python3[7]: Traceback (most recent call last):\n"
            "                                  File \"a.py\", line 1, in f\n"
            "                                KeyError: 'x'\n"
            "plain text line\n")
    records, _, _ = run_parser(syslog, data)
    assert [(r.line, r.message.count("\n")) for r in records] == [(1, 0), (2, 0), (3, 2), (6, 0)]


def test_a_blank_line_and_the_cap_close_a_record():
    line = "May 14 02:07:11 vm1 python3[7]:   File \"a.py\", line 1, in f\n"
    records, _, _ = run_parser(syslog, line * 3 + "\n" + line * (syslog.MAX_JOINED_LINES + 5))
    assert [r.message.count("\n") + 1 for r in records] == [3, syslog.MAX_JOINED_LINES, 5]


def test_a_line_without_a_host_name_is_read_when_a_tagged_program_follows():
    data = ("2025-03-02T09:12:05.412001+00:00  python3.11[2210]:   File \"/usr/sbin/waagent\", line 35, in <module>\n"
            "2025-03-02T09:12:05.412230+00:00  python3.11[2210]: ImportError: No module named azurelinuxagent\n")
    records, facts, _ = run_parser(syslog, data)
    assert [(r.line, r.component, r.message.count("\n")) for r in records] == [(1, "python3.11", 1)]
    assert records[0].time == at("2025-03-02T09:12:05.412001")
    assert "hostname" not in facts
    assert syslog.sniff(data)
    assert syslog.read_header("2021-07-19T14:41:39+00:00  no tag here", None) is None


def test_is_start_agrees_with_the_parser():
    lines = TRACEBACK.splitlines()
    assert [syslog.is_start(line) for line in lines] == [True, True, False, False, False, False, True]


def test_agent_version_facts_from_the_agent_s_lines():
    data = ("May 14 02:05:03 vm1 python3[912]: 2024-05-14T02:05:03.114527Z INFO Daemon Daemon "
            "Azure Linux Agent Version: 2.9.1.1\n"
            "May 14 02:05:09 vm1 python3[980]: 2024-05-14T02:05:09.000001Z INFO ExtHandler ExtHandler "
            "Azure Linux Agent (Goal State Agent version 2.11.1.4)\n")
    _, facts, _ = run_parser(syslog, data)
    assert (facts.value("daemon_version"), facts.value("agent_version")) == ("2.9.1.1", "2.11.1.4")
    assert facts.get("agent_version").time == at("2024-05-14T02:05:09")


def test_skimming_a_syslog_with_tracebacks_gives_the_full_result(tmp_path, monkeypatch):
    from azlog_vmbackup.analyzer.apps.analyze import analyze
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.matching import skim

    routine = "May 14 02:%02d:%02d vm1 CRON[%d]: (root) CMD (run-parts --report /etc/cron.hourly)\n"
    lines = [routine % (i // 60 % 60, i % 60, 100 + i) for i in range(600)]
    for at_line in (50, 233, 420):
        lines[at_line:at_line] = TRACEBACK.splitlines(keepends=True)
    lines.insert(300, "May 14 02:05:03 vm1 python3[912]: 2024-05-14T02:05:03.114527Z INFO Daemon Daemon "
                      "Azure Linux Agent Version: 2.2.45\n")
    log = tmp_path / "var" / "log" / "syslog"
    log.parent.mkdir(parents=True)
    log.write_text("".join(lines))
    knowledge = Knowledge.load()
    monkeypatch.setattr(skim, "PIECE", 700)
    monkeypatch.setattr(skim, "TAIL", 0)
    full = analyze(tmp_path, knowledge, skim=False).as_dict()
    skimmed = analyze(tmp_path, knowledge).as_dict()
    for result in (full, skimmed):
        for entry in result["inventory"]:
            entry.pop("records")
    assert skimmed == full
    assert full["facts"]["daemon_version"] == "2.2.45"
    assert full["diagnoses"][0]["cause"] == "agent-unresponsive-linux"
