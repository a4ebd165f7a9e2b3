"""An honest "I don't know": unexplained error records, and the known causes they resemble, always low."""
from __future__ import annotations

import json

from azlog_vmbackup.analyzer.apps.analyze import analyze_files
from azlog_vmbackup.analyzer.apps.nearest import nearest, words
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.core.model import Evidence

KNOWLEDGE = Knowledge.load()
BANNER = "2026-11-20T01:00:00.000001Z INFO Daemon Daemon Azure Linux Agent Version: 2.13.1.1\n"
FREEZE = "2026-11-20T01:05:00.000001Z ERROR ExtHandler ExtHandler Failed to freeze the file system /data: device busy\n"
ODD = "2026-11-20T01:0{}:00.000001Z ERROR ExtHandler ExtHandler Something odd happened: code {}\n"


def test_unexplained_errors_ranked_and_nearest_cause_offered_low():
    log = BANNER + FREEZE + "".join(ODD.format(m, m) for m in range(6, 9))
    result = analyze_files("b", {"var/log/waagent.log": log}, KNOWLEDGE)
    assert not any(d.confident for d in result.diagnoses)
    assert [(count, e.line) for count, e in result.unexplained] == [(3, 5), (1, 2)]  # grouped, latest line kept
    [near] = result.nearest
    assert near.cause == "fsfreeze-failed" and 0.7 <= near.similarity < 1
    assert [e.line for e in near.evidence] == [2] and "FIFREEZE" in near.resembles
    doc = result.as_dict()
    assert doc["nearest"][0]["confidence"] == "low" and doc["unexplained"][0]["count"] == 3
    json.dumps(doc)


def test_a_named_cause_needs_no_guessing():
    ext = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"
    line = ("2026-11-20 01:12:39.100000 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]"
            "2026-11-20 01:12:39 Failed to FIFREEZE: /data with error message: Device or resource busy\n")
    result = analyze_files("b", {"var/log/waagent.log": BANNER + FREEZE, ext: line}, KNOWLEDGE)
    assert result.diagnoses[0].confident and result.unexplained == [] and result.nearest == []


def test_unrelated_error_resembles_nothing():
    lines = [(1, Evidence("x", 1, "2019/01/01 ERROR hostname publish failed: ifdown not found", ""))]
    assert nearest(lines, KNOWLEDGE) == []


def test_words_drop_what_every_line_has():
    assert words("2026-01-01T00:00:00Z ERROR Daemon Failed to decrypt /var/lib/waagent/Certificates.p7m (rc: 1)") \
        == "decrypt"
