"""SharedConfig.xml."""
from __future__ import annotations

from azlog_vmbackup.parsers import shared_config_xml
from tests.helpers import run_parser

PATH = "var/lib/waagent/SharedConfig.xml"

SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<SharedConfig version="1.0.0.0" goalStateIncarnation="2">
  <Incarnation number="2" instance="_backup-vm01" guid="{7a2e9c41-0000-4000-8000-00000000e5f6}" />
  <Instances>
    <Instance id="_backup-vm01" address="10.20.0.5">
      <FaultDomains randomId="0" updateId="0" updateCount="0" />
      <InputEndpoints />
    </Instance>
    <Instance id="_backup-vm02" />
  </Instances>
</SharedConfig>
"""


def messages(records):
    return [(r.line, r.message) for r in records]


def test_sample_records():
    records, facts, problems = run_parser(shared_config_xml, SAMPLE, PATH)
    assert problems == []
    assert messages(records) == [
        (2, "sharedConfig goalStateIncarnation=2"),
        (5, "instance id=_backup-vm01 address=10.20.0.5"),
        (9, "instance id=_backup-vm02 address=absent"),
    ]
    assert facts.as_dict() == {}


def test_other_root_and_malformed():
    assert run_parser(shared_config_xml, "<Extensions/>", PATH)[2] == [
        "unexpected root element <Extensions> in a SharedConfig document"]
    records, facts, problems = run_parser(shared_config_xml, SAMPLE[:250], PATH)
    assert (records, facts.as_dict(), len(problems)) == ([], {}, 1)


def test_reference_history_shared_config(reference):
    path = reference / "linux-agent" / "history_example_goal_state_1" / "SharedConfig.xml"
    records, facts, problems = run_parser(shared_config_xml, path.read_bytes(), PATH)
    assert problems == []
    assert messages(records) == [(2, "sharedConfig goalStateIncarnation=1"),
                                 (5, "instance id=_test-vm address=10.1.52.28")]
