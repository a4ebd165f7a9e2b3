"""ExtensionsConfig.N.xml / history ExtensionsConfig.xml."""
from __future__ import annotations

from azlog_vmbackup.parsers import extensions_config_xml
from tests.helpers import run_parser

PATH = "var/lib/waagent/ExtensionsConfig.5.xml"

SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<Extensions version="1.0.0.0" goalStateIncarnation="5"><GuestAgentExtension xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <GAFamilies>
    <GAFamily>
      <Name>Prod</Name>
      <Version>2.10.0.8</Version>
      <IsVersionFromRSM>true</IsVersionFromRSM>
      <Uris><Uri>https://zrdfepirv2.blob.core.windows.net/ga/prod_manifest.xml</Uri></Uris>
    </GAFamily>
    <GAFamily>
      <Name>Test</Name>
    </GAFamily>
  </GAFamilies>
  <Location>northeurope</Location>
  <ServiceName>CRP</ServiceName>
</GuestAgentExtension>
<StatusUploadBlob statusBlobType="PageBlob">https://md-hdd-x1.z9.blob.storage.azure.net/$system/vm01.status?sv=2018-03-28&amp;sr=b&amp;sig=TOPSECRETSIG%3D</StatusUploadBlob>
<Plugins>
  <Plugin name="Microsoft.Azure.RecoveryServices.VMSnapshotLinux" version="1.0.9225.0" \
location="https://zrdfepirv2.blob.core.windows.net/snap/manifest.xml" \
state="enabled" autoUpgrade="true" runAsStartupTask="false" isJson="true" />
  <Plugin name="Microsoft.Azure.Extensions.CustomScript" version="2.1.10" state="disabled" autoUpgrade="false" />
</Plugins>
<PluginSettings>
  <Plugin name="Microsoft.Azure.RecoveryServices.VMSnapshotLinux" version="1.0.9225.0">
    <RuntimeSettings seqNo="3">{"runtimeSettings":[{"handlerSettings":{"protectedSettingsCertThumbprint":"0A1B2C",\
"protectedSettings":"MIIBPROTECTEDBLOB","publicSettings":{"locale":"en-us","taskId":"77c1"}}}]}</RuntimeSettings>
  </Plugin>
  <Plugin name="Microsoft.CPlat.Core.RunCommandHandlerLinux" version="1.3.2">
    <ExtensionRuntimeSettings seqNo="2" name="fixNtp" state="enabled">\
{"runtimeSettings":[{"handlerSettings":{"protectedSettings":"MIIBMULTICONFIG"}}]}</ExtensionRuntimeSettings>
  </Plugin>
</PluginSettings>
<InVMArtifactsProfileBlob>https://md-hdd-x1.z9.blob.storage.azure.net/$system/vm01.vmSettings?sv=2018-03-28&amp;sig=OTHERSECRET</InVMArtifactsProfileBlob>
<InVMGoalStateMetaData inSvdSeqNo="4" createdOnTicks="638500000000000000" activityId="a1" correlationId="c1" />
</Extensions>
"""

SECRETS = ("TOPSECRETSIG", "OTHERSECRET", "MIIBPROTECTEDBLOB", "MIIBMULTICONFIG", "sig=", "taskId",
           "publicSettings", "0A1B2C")


def messages(records):
    return [(r.line, r.message) for r in records]


def test_sample_records():
    records, facts, problems = run_parser(extensions_config_xml, SAMPLE, PATH)
    assert problems == []
    assert messages(records) == [
        (2, "extensionsConfig goalStateIncarnation=5"),
        (4, "gaFamily Prod version=2.10.0.8 isVersionFromRSM=true"),
        (10, "gaFamily Test version=absent"),
        (14, "guestAgentExtension location=northeurope serviceName=CRP"),
        (17, "statusUploadBlob type=PageBlob host=md-hdd-x1.z9.blob.storage.azure.net"),
        (19, "plugin Microsoft.Azure.RecoveryServices.VMSnapshotLinux version=1.0.9225.0 "
             "state=enabled autoUpgrade=true"),
        (20, "plugin Microsoft.Azure.Extensions.CustomScript version=2.1.10 state=disabled autoUpgrade=false"),
        (24, "pluginSettings Microsoft.Azure.RecoveryServices.VMSnapshotLinux seqNo=3 version=1.0.9225.0"),
        (27, "pluginSettings Microsoft.CPlat.Core.RunCommandHandlerLinux seqNo=2 version=1.3.2 "
             "extension=fixNtp state=enabled"),
        (30, "inVMArtifactsProfileBlob host=md-hdd-x1.z9.blob.storage.azure.net"),
        (31, "inVMGoalStateMetaData inSvdSeqNo=4 activityId=a1 correlationId=c1"),
    ]
    assert all(r.time is None and r.level is None for r in records)


def test_sample_facts():
    _, facts, _ = run_parser(extensions_config_xml, SAMPLE, PATH)
    assert facts.as_dict() == {
        "goal_state_incarnation": 5,
        "requested_agent_version": "2.10.0.8",
        "vmsnapshot_plugin_state": "enabled",
        "vmsnapshot_plugin_version": "1.0.9225.0",
    }
    assert [facts.get(n).line for n in ("goal_state_incarnation", "requested_agent_version",
                                        "vmsnapshot_plugin_state", "vmsnapshot_plugin_version")] == [2, 6, 19, 19]


def test_no_settings_or_signatures_leak():
    records, facts, problems = run_parser(extensions_config_xml, SAMPLE, PATH)
    emitted = "\n".join([r.message for r in records] + [str(v) for v in facts.as_dict().values()] + problems)
    for secret in SECRETS:
        assert secret not in emitted


def test_windows_snapshot_plugin_sets_the_plugin_facts():
    doc = ('<Extensions goalStateIncarnation="2"><Plugins>'
           '<Plugin name="Microsoft.Azure.RecoveryServices.VMSnapshot" version="1.0.80.0"'
           ' state="uninstall" autoUpgrade="true"/>'
           '</Plugins></Extensions>')
    _, facts, problems = run_parser(extensions_config_xml, doc, PATH)
    assert problems == []
    assert (facts.value("vmsnapshot_plugin_state"),
            facts.value("vmsnapshot_plugin_version")) == ("uninstall", "1.0.80.0")


def test_bad_incarnation_and_odd_blob_urls():
    doc = ('<Extensions goalStateIncarnation="x9">\n'
           '<StatusUploadBlob>   </StatusUploadBlob>\n'
           '<InVMArtifactsProfileBlob>http://[broken/x?sig=abc</InVMArtifactsProfileBlob>\n'
           '</Extensions>')
    records, facts, problems = run_parser(extensions_config_xml, doc, PATH)
    assert messages(records) == [
        (1, "extensionsConfig goalStateIncarnation=x9"),
        (2, "statusUploadBlob type=absent host=absent"),
        (3, "inVMArtifactsProfileBlob host=unknown"),
    ]
    assert facts.as_dict() == {}
    assert problems == ["goalStateIncarnation is not a number: 'x9'"]


def test_other_root_and_malformed():
    records, _, problems = run_parser(extensions_config_xml, "<GoalState/>", PATH)
    assert (records, problems) == ([], ["unexpected root element <GoalState> in an ExtensionsConfig document"])
    records, facts, problems = run_parser(extensions_config_xml, SAMPLE[:900], PATH)
    assert (records, facts.as_dict(), len(problems)) == ([], {}, 1)


def test_reference_history_extensions_config(reference):
    path = reference / "linux-agent" / "history_example_goal_state_1" / "ExtensionsConfig.xml"
    records, facts, problems = run_parser(extensions_config_xml, path.read_bytes(), "history/ExtensionsConfig.xml")
    assert problems == []
    assert messages(records) == [
        (2, "extensionsConfig goalStateIncarnation=1"),
        (4, "gaFamily Prod version=2.13.1.1 isVersionFromRSM=false isVMEnabledForRSMUpgrades=false"),
        (18, "guestAgentExtension location=westus2 serviceName=CRP"),
        (21, "statusUploadBlob type=PageBlob host=foo-bar.z6.blob.storage.azure.net"),
        (23, "plugin Microsoft.GuestConfiguration.ConfigurationforLinux version=1.26.89 "
             "state=enabled autoUpgrade=true"),
        (28, "plugin Microsoft.Azure.Extensions.CustomScript version=2.1.13 state=enabled autoUpgrade=true"),
        (33, "plugin Microsoft.CPlat.Core.LinuxHibernateExtension version=1.0.1 state=enabled autoUpgrade=true"),
        (41, "pluginSettings Microsoft.GuestConfiguration.ConfigurationforLinux seqNo=0 version=1.26.89"),
        (54, "pluginSettings Microsoft.Azure.Extensions.CustomScript seqNo=4 version=2.1.13"),
        (66, "inVMArtifactsProfileBlob host=foo-bar.z6.blob.storage.azure.net"),
        (67, "inVMGoalStateMetaData inSvdSeqNo=9 activityId=f32f99b5-4347-4ad2-b901-6e795254ac5b "
             "correlationId=6dcbeebc-d90e-4c71-b058-6ac175dc65ee"),
    ]
    assert facts.as_dict() == {"goal_state_incarnation": 1, "requested_agent_version": "2.13.1.1"}
    assert all("REDACTED" not in r.message and "thumbprint" not in r.message.lower() for r in records)


def test_reference_realistic_incarnation_3(reference):
    path = reference / "linux-agent" / "goal_state" / "ExtensionsConfig_realistic_incarnation_3.xml"
    records, facts, problems = run_parser(extensions_config_xml, path.read_bytes(), PATH)
    assert problems == []
    assert len(records) == 9
    assert facts.as_dict() == {"goal_state_incarnation": 3, "requested_agent_version": "2.9.1.1"}
    assert facts.get("requested_agent_version").line == 12


def test_reference_samples_without_agent_version(reference):
    for name, count in (("ExtensionsConfig_in_vm_metadata.xml", 7),
                        ("ExtensionsConfig_invalid_plugin_settings_version_mismatch.xml", 8)):
        path = reference / "linux-agent" / "goal_state" / name
        records, facts, problems = run_parser(extensions_config_xml, path.read_bytes(), PATH)
        assert (len(records), facts.as_dict(), problems) == (count, {"goal_state_incarnation": 9}, [])
        assert not any("sig=" in r.message or "hfRh7" in r.message for r in records)
