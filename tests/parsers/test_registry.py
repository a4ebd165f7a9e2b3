"""The path table: Linux and Windows layouts, and consistency of spec names."""
from __future__ import annotations

import pytest

from azlog_vmbackup.parsers import registry


def test_a_spec_name_says_one_thing_about_the_os():
    for spec in registry.TABLE:
        assert registry.spec_os(spec.name) == spec.os, spec.name


@pytest.mark.parametrize("path, name", [
    ("var/log/waagent.log", "waagent_log"),
    ("waagent.log.1", "waagent_log"),
    ("extension.log", "vmsnapshot_extension_log"),
    ("WindowsAzure/Logs/WaAppAgent.log", "waappagent_log"),
    (r"C:\WindowsAzure\Logs\TransparentInstaller.log", "transparent_installer_log"),
    ("device_0/WindowsAzure/Logs/WaAppAgent.log", "waappagent_log"),
    ("2026-11-20_10.12.33_UTC/F/WindowsAzure/Logs/AggregateStatus/aggregatestatus.json", "aggregate_status"),
    ("WindowsAzure/Logs/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/IaaSBcdrExtension0.log",
     "windows_plugin_log"),
    ("Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/Status/12.status", "extension_status"),
    ("Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/Status/HeartBeat.Json", "heartbeat"),
    ("Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/RuntimeSettings/12.settings",
     "extension_settings"),
    ("Windows/System32/winevt/Logs/System.evtx", "windows_event_log"),
    ("EventLogs/Application.csv", "windows_event_export"),
    ("Windows/Panther/VmAgentInstaller.xml", "vmagent_installer_xml"),
    ("guest.reg", "registry_export"),
])
def test_classify(path, name):
    assert registry.classify(path).name == name
