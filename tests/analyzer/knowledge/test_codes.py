"""The error-code knowledge base: aliases, spellings, numbers, messages, and its schema checks."""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.knowledge.causes import load_causes
from azlog_vmbackup.analyzer.knowledge.codes import load_codes
from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError

CAUSES = load_causes()
BOOK = load_codes(causes=CAUSES)


@pytest.mark.parametrize("spelling, canonical", [
    ("ExtentionOperationFailedForManagedDisks", "ExtensionOperationFailedForManagedDisks"),
    ("ExtentionOperationFailed", "ExtensionOperationFailedForManagedDisks"),
    ("extensionoperationfailedformanageddisks", "ExtensionOperationFailedForManagedDisks"),
    ("ExtensionOperationFailed", "ExtensionOperationFailed"),
    ("UserErrorKeyVaultPermissionsNotConfigured", "UserErrorKeyvaultPermissionsNotConfigured"),
    ("USERERRORKEYVAULTPERMISSIONSNOTCONFIGURED", "UserErrorKeyvaultPermissionsNotConfigured"),
    ("UserErrorSkuNotAvaialable", "UserErrorSkuNotAvailable"),
    ("VmNotInDesirableState", "VmNotInDesirableState"),
    ("UserErrorVmNotInDesirableState", "UserErrorVmNotInDesirableState"),
])
def test_aliases_and_spellings(spelling, canonical):
    assert BOOK.get(spelling).code == canonical


def test_retired_code_and_history():
    info = BOOK.get("UserErrorStandardSSDNotSupported")
    assert info.status == "retired" and info.causes == ("unsupported-disk-config",)
    assert any("1023" in m for m in BOOK.get("UserErrorUnsupportedDiskSize").messages)


def test_numbers_and_nearest():
    assert BOOK.get("320001").code == "ResourceNotFound"
    assert BOOK.nearest("UserErrorGuestAgentStatusUnavailabel")[0] == "UserErrorGuestAgentStatusUnavailable"


@pytest.mark.parametrize("text, code, line, how", [
    ("x\nError Code: ExtensionSnapshotFailedNoNetwork", "ExtensionSnapshotFailedNoNetwork", 2, "code"),
    ('    "errorCode": "usererrorfsfreezefailed",', "UserErrorFsFreezeFailed", 1, "code"),
    ("the job failed: snapshot operation failed due to NO network connectivity on the virtual machine!!",
     "ExtensionSnapshotFailedNoNetwork", 1, "message"),
    ("The portal says\n\"Snapshot operation failed due to no network connectivity on the virtual\nmachine\". Help",
     "ExtensionSnapshotFailedNoNetwork", 2, "message"),
    ("Error: Snapshot operation failed due to no network connectivity\nnext line", "ExtensionSnapshotFailedNoNetwork",
     1, "message"),
    ("ErrorCode : 320001 (resource missing)", "ResourceNotFound", 1, "number"),
])
def test_mentions(text, code, line, how):
    assert [(m.info.code, m.line, m.how) for m in BOOK.find(text)] == [(code, line, how)]


def test_no_false_mentions():
    assert BOOK.find("The backup of the file server ran overnight and completed fine.") == []
    assert BOOK.find("Snapshot of disk 0 taken") == []
    # the shared beginning of several messages names none of them
    assert BOOK.find("Error: Snapshot operation failed due to\nthe weather") == []


@pytest.mark.parametrize("body, message", [
    ("- code: X\n  messages: [m]\n  os: solaris\n  phase: backup\n  causes: [low-resources]\n  remediation: [r]\n"
     "  reference: https://learn.microsoft.com/x\n  status: current\n",
     "entry 1 (X): os: must be one of linux, windows, any"),
    ("- code: X\n  messages: [m]\n  os: both\n  phase: backup\n  causes: [no-such-cause]\n  remediation: [r]\n"
     "  reference: https://learn.microsoft.com/x\n  status: current\n",
     "entry 1 (X): causes: unknown cause id 'no-such-cause'"),
    ("- code: X\n  os: both\n", "entry 1 (X): causes: required"),
    ("- code: X\n  messages: [m]\n  os: both\n  phase: backup\n  causes: [low-resources]\n  remediation: [r]\n"
     "  reference: http://example.com\n  status: current\n  colour: red\n", "entry 1 (X): colour: unknown field"),
    ("- code: [unclosed\n", "not valid YAML"),
])
def test_schema_errors_name_file_entry_and_field(tmp_path, body, message):
    path = tmp_path / "codes.yaml"
    path.write_text(body)
    with pytest.raises(KnowledgeError) as err:
        load_codes(path, CAUSES)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_duplicate_code_across_entries(tmp_path):
    entry = ("- code: {}\n  aliases: [{}]\n  messages: [m]\n  os: both\n  phase: backup\n  causes: [low-resources]\n"
             "  remediation: [r]\n  reference: https://learn.microsoft.com/x\n  status: current\n")
    path = tmp_path / "codes.yaml"
    path.write_text(entry.format("CodeOne", "Alias") + entry.format("CodeTwo", "alias"))
    with pytest.raises(KnowledgeError, match="entry 2 \\(CodeTwo\\): code: 'alias' is already defined by CodeOne"):
        load_codes(path, CAUSES)


@pytest.mark.parametrize(("text", "message"), [
    ("  route: somewhere\n  remediation: [x]\n", "entry 1 \\(a\\): route: must be one of"),
    ("  remediation: [x, y]\n  remediation_hu: [x]\n", "remediation_hu: needs the same number of steps"),
    ("  remediation: [x]\n  corroborated_by: {nope: 0.5}\n", "unknown cause 'nope'"),
    ("  remediation: [x]\n  corroborated_by: {a: 2}\n", "shares in"),
])
def test_cause_schema(tmp_path, text, message):
    path = tmp_path / "causes.yaml"
    path.write_text("- id: a\n  title: A\n" + text)
    with pytest.raises(KnowledgeError, match=message):
        load_causes(path)


def test_builtin_knowledge_is_consistent():
    assert len(CAUSES) >= 37
    used = {c for info in BOOK.codes for c in info.causes}
    assert used <= set(CAUSES)
    for cause in CAUSES.values():
        assert cause.title_hu and cause.remediation_hu and cause.evidence and cause.description, cause.id
    for info in BOOK.codes:
        assert info.reference.startswith("https://learn.microsoft.com/"), info.code


def test_codes_newer_than_the_catalog_say_where_they_come_from():
    info = BOOK.get("usererrorultradiskorpremiumssdv2diskvmcannotbeprotectedongrsvault")
    assert info.code == "UserErrorUltraDiskOrPremiumSSDV2DiskVMCannotBeProtectedOnGRSVault"
    assert info.causes == ("unsupported-disk-config",) and info.phase == "configure-backup"
    assert info.reference.startswith("https://learn.microsoft.com/azure/backup/backup-support-matrix-iaas")
    assert any("github.com/MicrosoftDocs/azure-docs/issues/116318" in h for h in info.history)


@pytest.mark.parametrize("text, code", [
    ("Protection of virtual machines with Ultra disk or Premium SSD v2 could not be performed in the selected\n"
     "vault, with storage replication type as geo-redundant.",
     "UserErrorUltraDiskOrPremiumSSDV2DiskVMCannotBeProtectedOnGRSVault"),
    ("Error Code: Some mount point is not accessible.", "UserErrorUnableToOpenMount"),
])
def test_new_messages_are_found(text, code):
    assert [m.info.code for m in BOOK.find(text)] == [code]


def test_explain_a_code_newer_than_the_catalog():
    from tests.helpers import azlog
    done = azlog("explain", "UserErrorUltraDiskOrPremiumSSDV2DiskVMCannotBeProtectedOnGRSVault")
    assert done.returncode == 0, done.stderr
    assert "unsupported-disk-config" in done.stdout and "116318" in done.stdout
