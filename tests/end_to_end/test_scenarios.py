"""Every scenario file under tests/scenarios, diagnosed end to end (tests/scenarios/README.md has the format).

A scenario holds the lines of a few bundle members (run in memory through ``analyze_files``) or names a
sample bundle (run through ``analyze``); its ``expect`` block must match azlog's answer exactly.
"""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from tests.helpers import scenarios

KNOWLEDGE = Knowledge.load()
PATHS = scenarios.discover()


@pytest.mark.parametrize("path", PATHS, ids=[scenarios.scenario_id(p) for p in PATHS])
def test_scenario(path):
    scenario = scenarios.load(path, scenarios.SCENARIOS, KNOWLEDGE.causes)
    scenarios.check(scenario, scenarios.run(scenario, KNOWLEDGE))


def test_scenarios_exist():
    assert PATHS, f"no scenario files under {scenarios.SCENARIOS}"


GOOD = "summary: a case\nsource: own\nfiles:\n  var/log/waagent.log: |\n    line\nexpect:\n  cause: fsfreeze-failed\n"
BAD = {  # what is wrong -> (folder, file text, words the error names)
    "unknown key": ("fsfreeze-failed", GOOD + "notes: x\n", "unknown keys ['notes']"),
    "missing expect": ("fsfreeze-failed", GOOD.split("expect:")[0], "missing 'expect'"),
    "files and bundle": ("fsfreeze-failed", GOOD + "bundle: samples/bundles/linux-fsfreeze-failed.zip\n",
                         "exactly one of"),
    "neither files nor bundle": ("fsfreeze-failed", "summary: a\nsource: own\nexpect:\n  cause: fsfreeze-failed\n",
                                 "exactly one of"),
    "unknown cause": ("no-such-cause", GOOD.replace("fsfreeze-failed", "no-such-cause"),
                      "unknown cause id 'no-such-cause'"),
    "unknown expect key": ("fsfreeze-failed", GOOD + "  rank: 1\n", "unknown keys in expect ['rank']"),
    "no cause key": ("healthy", GOOD.replace("  cause: fsfreeze-failed\n", "  os: linux\n"), "expect needs 'cause'"),
    "wrong folder": ("healthy", GOOD, "belongs in the folder fsfreeze-failed/"),
    "bad confidence": ("fsfreeze-failed", GOOD + "  confidence: certain\n", "expect.confidence"),
    "bad os": ("fsfreeze-failed", GOOD + "  os: macos\n", "expect.os"),
    "codes on a healthy case": ("healthy", GOOD.replace("fsfreeze-failed", "null") + "  codes: [X]\n",
                                "takes no codes"),
    "missing bundle": ("fsfreeze-failed", GOOD.replace("files:\n  var/log/waagent.log: |\n    line\n",
                                                       "bundle: samples/bundles/nope.zip\n"), "does not exist"),
    "bad source": ("fsfreeze-failed", GOOD.replace("source: own", "source: a forum"), "source must be"),
    "absolute member": ("fsfreeze-failed", GOOD.replace("  var/log", "  /var/log"), "must be relative"),
    "duplicate key": ("fsfreeze-failed", GOOD + "summary: again\n", "given twice"),
    "not yaml": ("fsfreeze-failed", "summary: [unclosed\n", "not valid YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_loader_rejects(case, tmp_path):
    folder, text, words = BAD[case]
    path = tmp_path / folder / "case.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(scenarios.ScenarioError) as e:
        scenarios.load(path, tmp_path, KNOWLEDGE.causes)
    assert str(e.value).startswith(f"{folder}/case.yaml: ") and words in str(e.value)


def test_loader_accepts(tmp_path):
    path = tmp_path / "fsfreeze-failed" / "case.yaml"
    path.parent.mkdir()
    path.write_text(GOOD + "  codes: [UserErrorFsFreezeFailed]\n  confidence: high\n  os: linux\n", encoding="utf-8")
    scenario = scenarios.load(path, tmp_path, KNOWLEDGE.causes)
    assert scenario.files == {"var/log/waagent.log": "line\n"}
    assert scenario.expect == scenarios.Expect("fsfreeze-failed", ("UserErrorFsFreezeFailed",), "high", "linux")


def test_a_wrong_expectation_names_the_file_and_azlogs_answer(tmp_path):
    path = tmp_path / "vss-failure" / "case.yaml"
    path.parent.mkdir()
    ext = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
    member = (f"  var/log/azure/{ext}/extension.log: |\n"
              f"    2026-03-10 21:00:10.306018 [{ext}-1.0]Enable,error,121,,False\n")
    text = GOOD.replace("fsfreeze-failed", "vss-failure").replace("  var/log/waagent.log: |\n    line\n", member)
    path.write_text(text, encoding="utf-8")
    scenario = scenarios.load(path, tmp_path, KNOWLEDGE.causes)
    with pytest.raises(AssertionError) as e:
        scenarios.check(scenario, scenarios.run(scenario, KNOWLEDGE))
    message = str(e.value)
    assert message.startswith("vss-failure/case.yaml: expected top cause vss-failure, got fsfreeze-failed")
    assert "azlog said: os=linux" in message and "fsfreeze-failed high" in message
