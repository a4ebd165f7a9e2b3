"""Tests for parsers.vmagent_installer_xml: one record per <Event> line, entities decoded."""
from __future__ import annotations

from datetime import datetime, timezone

from azlog_vmbackup.parsers import vmagent_installer_xml
from tests.helpers import run_parser

PATH = "C:\\Windows\\Panther\\VmAgentInstaller.xml"


def t(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=timezone.utc)


def parse(text: str | bytes):
    return run_parser(vmagent_installer_xml, text, PATH)


def summary(records):
    return [(r.line, r.time, r.level, r.component, r.local_time, r.message.count("\n")) for r in records]


SAMPLE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    "<Events>\n"
    '<Event time="2023-02-07T09:14:51.480Z" category="INFO" source="GuestAgent"><StopService Name="RdAgent"/></Event>\n'
    '<Event time="2023-02-07T09:14:53.012Z" category="ERROR" source="GuestAgent"><UnhandledError><Message>'
    "Copying &quot;WaAppAgent.exe&quot; failed &amp; was retried&#10;twice.</Message><Number>70</Number>"
    "</UnhandledError></Event>\n"
    "\n"
    'Event time="2023-02-07T09:14:54Z" category="WARNING" source="Setup"><Note text="a &lt; b"/></Event>\n'
    '<Event category="VERBOSE" source="GuestAgent" time="2023-02-07 09:14:55.1"><Multi>\n'
    "  <Line>first &amp; second</Line>\n"
    "</Multi></Event>\n"
    '<Event time="garbage" category="NOTICE" source=""><X/></Event>\n'
    "stray text &amp; more\n"
    "</Events>\n")


def test_events_one_per_line():
    records, facts, problems = parse(SAMPLE)
    assert summary(records) == [
        (3, t(2023, 2, 7, 9, 14, 51, 480000), "INFO", "GuestAgent", False, 0),
        (4, t(2023, 2, 7, 9, 14, 53, 12000), "ERROR", "GuestAgent", False, 0),
        (6, t(2023, 2, 7, 9, 14, 54), "WARNING", "Setup", False, 0),
        (7, t(2023, 2, 7, 9, 14, 55, 100000), "VERBOSE", "GuestAgent", True, 2),
        (10, None, None, None, False, 0),
        (11, None, None, None, False, 0),
    ]
    assert records[1].message == (
        '<Event time="2023-02-07T09:14:53.012Z" category="ERROR" source="GuestAgent"><UnhandledError><Message>'
        'Copying "WaAppAgent.exe" failed & was retried twice.</Message><Number>70</Number>'
        "</UnhandledError></Event>")
    assert records[2].message.endswith('<Note text="a < b"/></Event>')
    assert records[3].message.split("\n")[1] == "  <Line>first & second</Line>"
    assert records[5].message == "stray text & more"
    assert facts.as_dict() == {}
    assert problems == []


def test_unclosed_event_is_capped(monkeypatch):
    monkeypatch.setattr(vmagent_installer_xml, "MAX_EVENT_LINES", 3)
    text = '<Event time="2020-01-01T00:00:00Z" category="ERROR" source="GA"><A>\n' + "x\n" * 4
    records, _, _ = parse(text)
    assert summary(records) == [(1, t(2020, 1, 1), "ERROR", "GA", False, 2), (4, None, None, None, False, 0),
                                (5, None, None, None, False, 0)]


def test_bad_character_references_stay_as_written():
    assert vmagent_installer_xml.decode("&#0; &#xD800; &#99999999; &#x41;") == "&#0; &#xD800; &#99999999; A"


def test_sas_signatures_are_masked():
    records, _, _ = parse('<Event time="2020-01-01T00:00:00Z" category="INFO" source="GA">'
                          "<Get Uri=\"https://a.blob.core.windows.net/c?sv=1&amp;sig=Zm9v\"/></Event>\n")
    assert "sig=***" in records[0].message and "Zm9v" not in records[0].message


def test_utf16_le_with_bom_and_crlf():
    data = b"\xff\xfe" + SAMPLE.replace("\n", "\r\n").encode("utf-16-le")
    records, _, _ = parse(data)
    assert summary(records) == summary(parse(SAMPLE)[0])
    assert [r.message for r in records] == [r.message for r in parse(SAMPLE)[0]]


def test_cp1252_bytes():
    data = ('<Event time="2020-01-01T00:00:00Z" category="ERROR" source="GA"><Message>Accès refusé</Message>'
            "</Event>\n").encode("cp1252")
    records, _, _ = parse(data)
    assert "Accès refusé" in records[0].message
    assert summary(records) == [(1, t(2020, 1, 1), "ERROR", "GA", False, 0)]


def test_reference_excerpt(reference):
    text = (reference / "windows" / "excerpts" / "16_agent_msi_install_failure_wmi.txt").read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if not line.startswith("#")]
    records, _, _ = parse("\n".join(lines))
    assert summary(records) == [
        (1, None, None, None, False, 0),
        (2, None, None, None, False, 0),
        (3, None, None, None, False, 0),
        (5, t(2019, 12, 12, 12, 49, 5, 123000), "INFO", "GuestAgent", False, 0),
        (6, t(2019, 12, 12, 12, 49, 5, 163000), "ERROR", "GuestAgent", False, 0),
        (7, t(2019, 12, 12, 12, 49, 5, 203000), "ERROR", "GuestAgent", False, 0),
    ]
    assert [r.message for r in records] == [lines[r.line - 1] for r in records]
