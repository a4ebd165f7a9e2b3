"""HostingEnvironmentConfig.xml."""
from __future__ import annotations

from azlog_vmbackup.parsers import hosting_env_xml
from tests.helpers import run_parser

PATH = "var/lib/waagent/HostingEnvironmentConfig.xml"

SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<HostingEnvironmentConfig version="1.0.0.0" goalStateIncarnation="2">
  <StoredCertificates>
    <StoredCertificate name="Cert0My" certificateId="sha1:0123456789ABCDEF0123456789ABCDEF01234567" storeName="My" />
  </StoredCertificates>
  <Deployment name="9e1f0c7d2b5a4c4f" guid="{1b7c3d5e-0000-4000-8000-00000000c3d4}" incarnation="0">
    <Service name="backupSvc" guid="{00000000-0000-0000-0000-000000000000}" />
  </Deployment>
  <Incarnation number="2" instance="_backup-vm01" guid="{7a2e9c41-0000-4000-8000-00000000e5f6}" />
  <Role guid="{3c4d5e6f-0000-4000-8000-0000000a7b8c}" name="_backup-vm01" />
</HostingEnvironmentConfig>
"""


def messages(records):
    return [(r.line, r.message) for r in records]


def test_sample_records_and_hostname():
    records, facts, problems = run_parser(hosting_env_xml, SAMPLE, PATH)
    assert problems == []
    assert messages(records) == [
        (6, "deployment name=9e1f0c7d2b5a4c4f incarnation=0"),
        (9, "incarnation number=2 instance=_backup-vm01"),
        (10, "role name=_backup-vm01"),
    ]
    assert facts.as_dict() == {"hostname": "backup-vm01"}
    assert facts.get("hostname").line == 9
    assert not any("0123456789ABCDEF" in r.message for r in records)


def test_classic_instance_name_is_kept():
    doc = '<HostingEnvironmentConfig><Incarnation number="1" instance="MachineRole_IN_0"/></HostingEnvironmentConfig>'
    records, facts, _ = run_parser(hosting_env_xml, doc, PATH)
    assert facts.value("hostname") == "MachineRole_IN_0"


def test_missing_instance_sets_no_hostname():
    records, facts, problems = run_parser(
        hosting_env_xml, "<HostingEnvironmentConfig><Incarnation/></HostingEnvironmentConfig>", PATH)
    assert messages(records) == [(1, "incarnation number=absent instance=absent")]
    assert (facts.as_dict(), problems) == ({}, [])


def test_other_root_and_malformed():
    assert run_parser(hosting_env_xml, "<SharedConfig/>", PATH)[2] == [
        "unexpected root element <SharedConfig> in a HostingEnvironmentConfig document"]
    records, facts, problems = run_parser(hosting_env_xml, SAMPLE[:300], PATH)
    assert (records, facts.as_dict(), len(problems)) == ([], {}, 1)


def test_reference_history_hosting_env(reference):
    path = reference / "linux-agent" / "history_example_goal_state_1" / "HostingEnvironmentConfig.xml"
    records, facts, problems = run_parser(hosting_env_xml, path.read_bytes(), PATH)
    assert problems == []
    assert messages(records) == [(7, "incarnation number=1 instance=_test-vm")]
    assert facts.as_dict() == {"hostname": "test-vm"}
