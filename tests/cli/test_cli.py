"""The azlog command: exit codes, the JSON contract, output files, errors without tracebacks."""
from __future__ import annotations

import json
import subprocess
import zipfile

import pytest

from tests.helpers import azlog

EXT = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"
EXT_LOG = (
    "2026-11-20 01:12:19.100000 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting enable\n"
    "2026-11-20 01:12:20.100000 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]"
    "T:S freeze result freeze failed for some mount\n"
    ", timedout :False\n"
    "2026-11-20 01:12:21.100000 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Enable,error,121,,False\n"
)


@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(EXT, EXT_LOG)
        zf.writestr("etc/waagent.conf", "Extensions.Enabled=y\n")
    return path


def test_json_contract(bundle):
    run = azlog("analyze", bundle, "--format", "json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert set(doc) == {"schema_version", "source", "os", "engine", "facts", "diagnoses", "inventory", "errors",
                        "coverage", "unexplained", "nearest", "near_misses", "summary", "tie"}
    assert doc["schema_version"] == 1 and doc["os"] == "linux"
    top = doc["diagnoses"][0]
    assert top["rank"] == 1 and top["cause"] == "fsfreeze-failed" and top["confidence"] == "high"
    assert "UserErrorFsFreezeFailed" in top["error_codes"]
    lines = {(e["path"], e["line"]) for e in top["evidence"]}
    assert (EXT, 2) in lines and (EXT, 4) in lines
    assert doc["facts"]["last_status_code"] == 121
    assert {e["path"]: e["status"] for e in doc["inventory"]} == {EXT: "parsed", "etc/waagent.conf": "parsed"}


def test_text_report_and_output_file(bundle, tmp_path):
    run = azlog("analyze", bundle)
    assert run.returncode == 0
    assert "fsfreeze-failed" in run.stdout and f"{EXT}:2" in run.stdout
    assert "\x1b[" not in run.stdout  # plain when piped
    out = tmp_path / "report.json"
    run = azlog("analyze", bundle, "-f", "json", "-o", out)
    assert run.returncode == 0 and run.stdout == ""
    assert json.loads(out.read_text())["diagnoses"][0]["cause"] == "fsfreeze-failed"


@pytest.mark.parametrize("content,message", [
    (None, "does not exist"),
    (b"PK\x03\x04 truncated", "not a readable archive"),
])
def test_unreadable_input_exit_3(tmp_path, content, message):
    path = tmp_path / "bad.zip"
    if content is not None:
        path.write_bytes(content)
    run = azlog("analyze", path)
    assert run.returncode == 3
    assert message in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_usage_error_exit_2():
    assert azlog("analyze").returncode == 2


@pytest.mark.parametrize("args, message", [
    (("analyze", "x", "--format", "yaml"), "azlog: unknown --format 'yaml': choose text, json, markdown or html"),
    (("analyze", "x", "--fail-on", "warn"), "azlog: unknown --fail-on 'warn': choose high, medium or low"),
    (("explain", "UserErrorFsFreezeFailed", "--lang", "de"), "azlog: unknown --lang 'de': choose en or hu"),
    (("signatures", "list", "--format", "markdown"), "azlog: unknown --format 'markdown': choose text or json"),
    (("analyze", "x", "--engine", "grep"),
     "azlog: unknown matching engine 'grep' (--engine): choose auto, regex, hyperscan"),
])
def test_bad_choice_answered_in_own_words(args, message):
    run = azlog(*args)
    assert run.returncode == 2 and run.stderr.strip() == message


def test_bad_engine_in_environment_is_named(bundle, monkeypatch):
    monkeypatch.setenv("AZLOG_ENGINE", "fast")
    run = azlog("analyze", bundle)
    assert run.returncode == 2
    assert run.stderr.strip() == "azlog: unknown matching engine 'fast' (AZLOG_ENGINE): choose auto, regex, hyperscan"


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag):
    from azlog_vmbackup import __version__

    for run in (azlog(flag), subprocess.run(["azlog", flag], capture_output=True, text=True)):
        assert run.returncode == 0 and run.stdout == f"azlog {__version__}\n"


@pytest.mark.parametrize("args", [("-h",), ("analyze", "-h"), ("batch", "--help"), ("signatures", "test", "-h")])
def test_help_speaks_in_metavars_not_python_types(args):
    run = azlog(*args)
    assert run.returncode == 0 and "Usage: azlog" in run.stdout
    for python_name in ("list[", "<bool>", "<path>", "Optional", "<str>", "<int"):
        assert python_name not in run.stdout


@pytest.mark.parametrize("engine", ["regex", "auto"])
def test_engine_is_reported(bundle, engine):
    from azlog_vmbackup.analyzer.matching import engines

    run = azlog("analyze", bundle, "-f", "json", "--engine", engine)
    used = json.loads(run.stdout)["engine"]
    assert used == ("regex" if engine == "regex" else engines.get("auto").name)
    assert azlog("analyze", bundle, "--engine", engine).stdout.rstrip().endswith(f"matching engine: {used}")


def test_bad_user_signature_file(bundle, tmp_path):
    sig = tmp_path / "mine.yaml"
    sig.write_text("- id: Bad Id\n  title: t\n  cause: fsfreeze-failed\n  weight: 0.5\n  hint: x\n")
    run = azlog("analyze", bundle, "--signatures", sig)
    assert run.returncode == 3
    assert "mine.yaml: entry 1" in run.stderr and "id:" in run.stderr


@pytest.mark.parametrize("args", [("analyze", "samples/bundles/linux-fsfreeze-failed.zip"),
                                  ("analyze", "samples/bundles/linux-fsfreeze-failed.zip", "--format", "markdown"),
                                  ("explain", "UserErrorGuestAgentStatusUnavailable")])
def test_a_reader_that_goes_away_ends_azlog_quietly(args):
    import subprocess
    import sys

    from tests.helpers import ROOT

    process = subprocess.Popen([sys.executable, "-m", "azlog_vmbackup", *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # like `| head` that has read what it wanted, before azlog writes
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0 and stderr == ""


def test_fail_on_makes_a_finding_an_exit_code():
    from tests.helpers import ROOT

    failed = ROOT / "samples" / "bundles" / "linux-fsfreeze-failed.zip"
    healthy = ROOT / "samples" / "bundles" / "linux-healthy-modern.zip"
    assert azlog("analyze", failed, "--fail-on", "high").returncode == 1
    assert azlog("analyze", failed).returncode == 0
    assert azlog("analyze", healthy, "--fail-on", "medium").returncode == 0
    weak = azlog("analyze", healthy, "--fail-on", "low", "--format", "json")
    assert weak.returncode == (1 if json.loads(weak.stdout)["diagnoses"] else 0)


def test_explain_groups_what_to_collect_by_os_once_each():
    for fmt in ("text", "markdown"):
        run = azlog("explain", "UserErrorGuestAgentStatusUnavailable", "--format", fmt)
        assert run.returncode == 0 and run.stdout.count("systemctl status walinuxagent") == 1
        assert run.stdout.index("Linux:") < run.stdout.index("Windows:")
    doc = json.loads(azlog("explain", "UserErrorGuestAgentStatusUnavailable", "--format", "json", "--os",
                           "linux").stdout)
    assert set(doc["collect"]) <= {"linux", "any"} and doc["collect"]["linux"][0].startswith(("waagent", "systemctl"))
    linux = azlog("explain", "UserErrorGuestAgentStatusUnavailable", "--os", "linux").stdout
    assert "sc query" not in linux and "C:\\WindowsAzure" not in linux


def test_explain_option_says_how_scores_came_about():
    from tests.helpers import ROOT

    bundle = ROOT / "samples" / "bundles" / "linux-agent-unresponsive-linux.zip"
    doc = json.loads(azlog("analyze", bundle, "--format", "json").stdout)
    text = azlog("analyze", bundle, "--explain").stdout
    assert "Why these scores" in text and "Signatures that almost fired" in text
    for d in doc["diagnoses"]:
        product = 1.0
        for w in d["why"]:
            product *= 1 - w["contribution"]
            assert (w.get("signature") or w["corroborated_by"]) in text
        assert abs(min(1 - product, 0.99) - d["score"]) <= 0.051  # up to the bonus for several kinds of source
    for miss in doc["near_misses"]:
        assert miss["signature"] in text and miss["reason"] in text
    assert "Why these scores" not in azlog("analyze", bundle).stdout
