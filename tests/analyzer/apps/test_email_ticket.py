"""Tickets that arrive as e-mail: text from the plain or HTML part, archives and logs attached as bundles,
pasted logs as text evidence, limits on attachments, a clear error for what is not a message."""
from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from azlog_vmbackup.analyzer.apps.email_ticket import EmailError, ticket, triage_message
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.core.bundle import Limits
from tests.helpers import ROOT, azlog

KNOWLEDGE = Knowledge.load()
SAMPLE = ROOT / "samples" / "bundles" / "linux-fsfreeze-failed.zip"


def _message(body: str = "", html: str = "", attachments: list[tuple[str, bytes, str]] = ()) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "customer@example.com", "support@example.com", "Nightly backup of vm-db01 fails"
    if body:
        m.set_content(body)
    if html:
        if body:
            m.add_alternative(html, subtype="html")
        else:
            m.set_content(html, subtype="html")
    for name, data, kind in attachments:
        maintype, subtype = kind.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(m)


def test_zip_attachment_is_a_bundle_and_the_body_the_text():
    raw = _message("It fails with UserErrorFsFreezeFailed.", attachments=[("logs.zip", SAMPLE.read_bytes(),
                                                                           "application/zip")])
    outcome = triage_message(raw, KNOWLEDGE, label="case.eml")
    assert outcome.result.source == "case.eml/logs.zip"
    assert outcome.result.diagnoses[0].cause == "fsfreeze-failed" and outcome.route == "self-help"


def test_html_only_body_and_pasted_log_lines_are_text_evidence():
    line = ("2026-11-20T02:23:03.393764Z ERROR ExtHandler ExtHandler Fetching the goal state is still failing: "
            "[ProtocolError] [HttpError] [HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out")
    raw = _message(html=f"<html><body><p>Our backup fails.</p><pre>{line}</pre></body></html>")
    with ticket(raw) as t:
        assert "Our backup fails." in t.text and "Fetching the goal state is still failing" in t.text
        assert "<p>" not in t.text
    outcome = triage_message(raw, KNOWLEDGE)
    assert any(d.cause == "no-internet-access" for d in outcome.result.diagnoses)


def test_attachments_are_bounded_and_named_safely(tmp_path):
    raw = _message("see logs", attachments=[("../../etc/cron.d/x.log", b"2026-11-20 hello\n", "text/plain"),
                                            ("big.zip", b"PK" + b"\0" * 5000, "application/zip"),
                                            ("photo.png", b"\x89PNG", "image/png")])
    with ticket(raw, Limits(member_bytes=4096)) as t:
        assert [p.name for p in t.bundles] == ["001-x.log"]
        folder = t.bundles[0].parent
        assert folder.is_dir() and all(p.parent == folder for p in t.bundles)
        assert dict(t.skipped) == {"big.zip": "larger than 4096 bytes (member_bytes limit)",
                                   "photo.png": "not a bundle or a log (image/png)"}
    assert not folder.exists()  # the attachments are gone once the ticket is read


@pytest.mark.parametrize("raw", [b"", b"   \n", b"no headers at all, just words\n", b"\x00\x01\x02binary"])
def test_what_is_not_a_message_is_a_clear_error(raw):
    with pytest.raises(EmailError):
        with ticket(raw):
            pass


def test_command_line_reads_an_eml(tmp_path):
    path = tmp_path / "ticket.eml"
    path.write_bytes(_message("Backup fails", attachments=[("logs.zip", SAMPLE.read_bytes(), "application/zip")]))
    run = azlog("triage", path, "--format", "json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["source"] == "ticket.eml/logs.zip" and doc["diagnoses"][0]["cause"] == "fsfreeze-failed"
    bad = tmp_path / "bad.eml"
    bad.write_text("just words\n")
    run = azlog("triage", bad)
    assert run.returncode == 3 and run.stderr == "azlog: bad.eml: not an e-mail message (no headers)\n"
