"""ovf-env.xml: only harmless provisioning settings come out."""
from __future__ import annotations

from azlog_vmbackup.parsers import ovf_env_xml
from tests.helpers import run_parser

PATH = "var/lib/waagent/ovf-env.xml"

SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:oe="http://schemas.dmtf.org/ovf/environment/1" \
xmlns:wa="http://schemas.microsoft.com/windowsazure" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <wa:ProvisioningSection>
    <wa:Version>1.0</wa:Version>
    <LinuxProvisioningConfigurationSet xmlns="http://schemas.microsoft.com/windowsazure">
      <ConfigurationSetType>LinuxProvisioningConfiguration</ConfigurationSetType>
      <HostName>backup-vm01</HostName>
      <UserName>azureuser</UserName>
      <UserPassword>Pa55w0rd-NotReal!</UserPassword>
      <DisableSshPasswordAuthentication>true</DisableSshPasswordAuthentication>
      <SSH><PublicKeys><PublicKey><Fingerprint>FFEE0011</Fingerprint>\
<Path>/home/azureuser/.ssh/authorized_keys</Path><Value>ssh-rsa AAAAFAKEKEY</Value></PublicKey></PublicKeys></SSH>
      <CustomData>IyEvYmluL3NoCmVjaG8gc2VjcmV0</CustomData>
    </LinuxProvisioningConfigurationSet>
  </wa:ProvisioningSection>
  <wa:PlatformSettingsSection>
    <wa:Version>1.0</wa:Version>
    <wa:PlatformSettings>
      <wa:KmsServerHostname>kms.core.windows.net</wa:KmsServerHostname>
      <wa:ProvisionGuestAgent>false</wa:ProvisionGuestAgent>
      <wa:GuestAgentPackageName xsi:nil="true"/>
      <wa:PreprovisionedVm>false</wa:PreprovisionedVm>
    </wa:PlatformSettings>
  </wa:PlatformSettingsSection>
</Environment>
"""

SECRETS = ("Pa55w0rd", "IyEvYmluL3No", "AAAAFAKEKEY", "FFEE0011", "azureuser", "UserPassword", "CustomData")


def messages(records):
    return [(r.line, r.message) for r in records]


def test_sample_records_and_facts():
    records, facts, problems = run_parser(ovf_env_xml, SAMPLE, PATH)
    assert problems == []
    assert messages(records) == [
        (6, "ConfigurationSetType=LinuxProvisioningConfiguration"),
        (7, "HostName=backup-vm01"),
        (10, "DisableSshPasswordAuthentication=true"),
        (18, "KmsServerHostname=kms.core.windows.net"),
        (19, "ProvisionGuestAgent=false"),
        (20, "GuestAgentPackageName=absent"),
        (21, "PreprovisionedVm=false"),
    ]
    assert facts.as_dict() == {"hostname": "backup-vm01", "provision_guest_agent": False}
    assert (facts.get("hostname").line, facts.get("provision_guest_agent").line) == (7, 19)


def test_no_password_key_or_custom_data_leaks():
    records, facts, problems = run_parser(ovf_env_xml, SAMPLE, PATH)
    emitted = "\n".join([r.message for r in records] + [str(v) for v in facts.as_dict().values()] + problems)
    for secret in SECRETS:
        assert secret not in emitted


def test_provision_guest_agent_true_and_odd_values():
    doc = "<Environment><ProvisionGuestAgent>True</ProvisionGuestAgent><HostName> </HostName></Environment>"
    records, facts, problems = run_parser(ovf_env_xml, doc, PATH)
    assert messages(records) == [(1, "ProvisionGuestAgent=True"), (1, "HostName=absent")]
    assert facts.as_dict() == {"provision_guest_agent": True}
    records, facts, _ = run_parser(
        ovf_env_xml, "<Environment><ProvisionGuestAgent>maybe</ProvisionGuestAgent></Environment>", PATH)
    assert facts.as_dict() == {}


def test_other_root_and_malformed():
    assert run_parser(ovf_env_xml, "<GoalState/>", PATH)[2] == [
        "unexpected root element <GoalState> in an ovf-env document"]
    records, facts, problems = run_parser(ovf_env_xml, SAMPLE[:600], PATH)
    assert (records, facts.as_dict(), len(problems)) == ([], {}, 1)
    assert "Pa55w0rd" not in problems[0]


def test_reference_ovf_env(reference):
    path = reference / "linux-agent" / "provisioning" / "ovf-env.xml"
    records, facts, problems = run_parser(ovf_env_xml, path.read_bytes(), PATH)
    assert problems == []
    assert messages(records) == [
        (6, "ConfigurationSetType=LinuxProvisioningConfiguration"),
        (7, "HostName=HostName"),
        (10, "DisableSshPasswordAuthentication=false"),
        (32, "KmsServerHostname=kms.core.windows.net"),
        (33, "ProvisionGuestAgent=false"),
        (34, "GuestAgentPackageName=absent"),
        (37, "PreprovisionedVm=false"),
    ]
    assert facts.as_dict() == {"hostname": "HostName", "provision_guest_agent": False}
    assert not any("UserPassword" in r.message or "CustomData" in r.message for r in records)
