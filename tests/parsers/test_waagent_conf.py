"""/etc/waagent.conf."""
from __future__ import annotations

from azlog_vmbackup.parsers import waagent_conf
from tests.helpers import run_parser

PATH = "etc/waagent.conf"

SAMPLE = """#
# Azure Linux agent settings
#
Extensions.Enabled=n

Provisioning.Agent=cloud-init
AutoUpdate.Enabled=y
AutoUpdate.UpdateToLatestVersion=n   # pinned by the platform team
  # HttpProxy.Host=old-proxy
HttpProxy.Host="proxy.corp.example"\t
HttpProxy.Port=3128 \r
OS.EnableFirewall=Y
Logs.Verbose=n
not a setting line
"""


def messages(records):
    return [(r.line, r.message) for r in records]


def test_sample_records():
    records, _, problems = run_parser(waagent_conf, SAMPLE, PATH)
    assert problems == []
    assert messages(records) == [
        (4, "Extensions.Enabled=n"),
        (6, "Provisioning.Agent=cloud-init"),
        (7, "AutoUpdate.Enabled=y"),
        (8, "AutoUpdate.UpdateToLatestVersion=n   # pinned by the platform team"),
        (10, 'HttpProxy.Host="proxy.corp.example"\t'),
        (11, "HttpProxy.Port=3128 "),
        (12, "OS.EnableFirewall=Y"),
        (13, "Logs.Verbose=n"),
    ]
    assert all(r.level is None and r.time is None and r.path == PATH for r in records)


def test_sample_facts():
    _, facts, _ = run_parser(waagent_conf, SAMPLE, PATH)
    assert facts.as_dict() == {
        "auto_update": False,
        "extensions_enabled": False,
        "os_enable_firewall": True,
        "provisioning_agent": "cloud-init",
        "proxy": "proxy.corp.example:3128",
    }
    assert {name: facts.get(name).line for name, _ in facts.items()} == {
        "auto_update": 8, "extensions_enabled": 4, "os_enable_firewall": 12,
        "provisioning_agent": 6, "proxy": 10}


def test_legacy_auto_update_key_alone():
    _, facts, _ = run_parser(waagent_conf, "AutoUpdate.Enabled=n\n", PATH)
    assert facts.as_dict() == {"auto_update": False}


def test_newer_key_wins_whatever_the_order():
    _, facts, _ = run_parser(waagent_conf, "AutoUpdate.UpdateToLatestVersion=y\nAutoUpdate.Enabled=n\n", PATH)
    assert (facts.value("auto_update"), facts.get("auto_update").line) == (True, 1)


def test_invalid_switch_falls_back_to_legacy_key():
    _, facts, _ = run_parser(waagent_conf, "AutoUpdate.UpdateToLatestVersion=yes\nAutoUpdate.Enabled=n\n", PATH)
    assert facts.as_dict() == {"auto_update": False}


def test_absent_keys_set_no_facts():
    records, facts, problems = run_parser(waagent_conf, "# only comments\n\nLogs.Verbose=y\n", PATH)
    assert (messages(records), facts.as_dict(), problems) == ([(3, "Logs.Verbose=y")], {}, [])


def test_unset_values_and_proxy_without_port():
    _, facts, _ = run_parser(
        waagent_conf, "Extensions.Enabled=maybe\nHttpProxy.Host=10.0.0.9\nHttpProxy.Port=None\n", PATH)
    assert facts.as_dict() == {"proxy": "10.0.0.9"}
    _, facts, _ = run_parser(waagent_conf, "HttpProxy.Host=None\nHttpProxy.Port=8080\n", PATH)
    assert facts.as_dict() == {}


def test_last_duplicate_wins_and_none_unsets():
    _, facts, _ = run_parser(waagent_conf, ("Extensions.Enabled=n\nExtensions.Enabled=y\n"
                                            "Provisioning.Agent=waagent\nProvisioning.Agent=None\n"), PATH)
    assert facts.as_dict() == {"extensions_enabled": True}
    assert facts.get("extensions_enabled").line == 2


def test_crlf_and_binary_noise_do_not_raise():
    records, facts, problems = run_parser(waagent_conf, b"Extensions.Enabled=y\r\n\xff\xfe=\x00\r\n", PATH)
    assert [r.line for r in records] == [1, 2]
    assert facts.value("extensions_enabled") is True
    assert problems == []


def test_reference_default_conf(reference):
    path = reference / "linux-agent" / "conf" / "waagent.conf"
    records, facts, problems = run_parser(waagent_conf, path.read_bytes(), PATH)
    assert problems == []
    assert len(records) == 29
    assert (records[0].line, records[0].message) == (7, "Extensions.Enabled=y")
    assert (records[-1].line, records[-1].message) == (152, "OS.MonitorDhcpClientRestartPeriod=30")
    assert facts.as_dict() == {"extensions_enabled": True, "os_enable_firewall": True, "provisioning_agent": "auto"}
    assert (facts.get("extensions_enabled").line, facts.get("os_enable_firewall").line,
            facts.get("provisioning_agent").line) == (7, 143, 14)
