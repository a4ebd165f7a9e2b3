"""dhclient and systemd-networkd lease files."""
from __future__ import annotations

from azlog_vmbackup.parsers import dhcp_lease
from tests.helpers import run_parser

DHCLIENT_PATH = "var/lib/dhcp/dhclient.eth0.leases"
NETWORKD_PATH = "run/systemd/netif/leases/2"

DHCLIENT = """default-duid "\\000\\001\\000\\001";
lease {
  interface "eth0";
  fixed-address 10.20.0.5;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 168.63.129.16;
  option unknown-245 a8:3f:81:10;
  renew 2 2024/05/14 08:05:02;
  expire 3 2024/05/15 02:05:02;
}
lease {
  interface "eth1";
  fixed-address 10.30.0.7;
  option unknown-245 a:b:c:d;
  expire epoch 1718000000; # Mon Jun 10 06:13:20 2024
}
"""

NO_245 = """lease {
  interface "eth0";
  fixed-address 192.168.1.20;
  option routers 192.168.1.1;
  expire 0 never;
}
"""

NETWORKD = """# This is private data. Do not parse.
ADDRESS=10.20.0.5
NETMASK=255.255.255.0
SERVER_ADDRESS=168.63.129.16
LIFETIME=86400
OPTION_245=a83f8110
"""


def summary(records):
    return [(r.line, r.message) for r in records]


def test_dhclient_leases():
    records, facts, problems = run_parser(dhcp_lease, DHCLIENT, DHCLIENT_PATH)
    assert problems == []
    assert summary(records) == [
        (2, "lease interface=eth0 fixed-address=10.20.0.5 option-245=168.63.129.16 expire=2024-05-15T02:05:02Z"),
        (11, "lease interface=eth1 fixed-address=10.30.0.7 option-245=10.11.12.13 expire=2024-06-10T06:13:20Z"),
    ]
    assert all(r.time is None and r.level is None for r in records)
    assert facts.as_dict() == {"dhcp_option_245": True, "wireserver_endpoint": "10.11.12.13"}
    assert (facts.get("dhcp_option_245").line, facts.get("wireserver_endpoint").line) == (14, 14)


def test_lease_without_option_245():
    records, facts, problems = run_parser(dhcp_lease, NO_245, DHCLIENT_PATH)
    assert summary(records) == [(1, "lease interface=eth0 fixed-address=192.168.1.20 option-245=absent expire=never")]
    assert facts.as_dict() == {"dhcp_option_245": False}
    assert facts.get("dhcp_option_245").line == 1
    assert problems == []


def test_undecodable_option_counts_but_gives_no_endpoint():
    doc = 'lease {\n  option unknown-245 "\\250?\\201\\020";\n}\n'
    records, facts, _ = run_parser(dhcp_lease, doc, DHCLIENT_PATH)
    assert summary(records) == [
        (1, 'lease interface=absent fixed-address=absent option-245="\\250?\\201\\020" expire=absent'),
    ]
    assert facts.as_dict() == {"dhcp_option_245": True}


def test_networkd_lease():
    records, facts, problems = run_parser(dhcp_lease, NETWORKD, NETWORKD_PATH)
    assert problems == []
    assert summary(records) == [
        (2, "lease interface=ifindex:2 fixed-address=10.20.0.5 option-245=168.63.129.16 expire=86400s"),
    ]
    assert facts.as_dict() == {"dhcp_option_245": True, "wireserver_endpoint": "168.63.129.16"}
    assert facts.get("wireserver_endpoint").line == 6


def test_networkd_lease_without_option():
    records, facts, _ = run_parser(dhcp_lease, "ADDRESS=10.1.0.4\nLIFETIME=4294967295\n", "run/systemd/netif/leases/3")
    assert summary(records) == [(1, "lease interface=ifindex:3 fixed-address=10.1.0.4 option-245=absent expire=never")]
    assert facts.as_dict() == {"dhcp_option_245": False}


def test_unclosed_block_and_empty_file():
    records, facts, problems = run_parser(dhcp_lease, "lease {\n  option unknown-245 a8:3f:81:10;\n", DHCLIENT_PATH)
    assert summary(records) == [
        (1, "lease interface=absent fixed-address=absent option-245=168.63.129.16 expire=absent"),
    ]
    assert problems == ["lease block starting at line 1 is not closed"]
    assert facts.value("wireserver_endpoint") == "168.63.129.16"
    records, facts, problems = run_parser(dhcp_lease, "", DHCLIENT_PATH)
    assert (records, facts.as_dict(), problems) == ([], {}, [])


def test_reference_dhclient_leases(reference):
    path = reference / "linux-agent" / "dhcp" / "dhclient.eth0.leases"
    records, facts, problems = run_parser(dhcp_lease, path.read_bytes(), DHCLIENT_PATH)
    assert problems == []
    assert summary(records) == [
        (1, "lease interface=eth0 fixed-address=10.0.1.4 option-245=168.63.129.16 expire=never"),
        (20, "lease interface=eth0 fixed-address=10.0.1.4 option-245=168.63.129.16 expire=2015-06-16T16:58:54Z"),
        (38, "lease interface=eth0 fixed-address=10.0.1.4 option-245=168.63.129.16 expire=2152-07-23T23:27:10Z"),
    ]
    assert facts.as_dict() == {"dhcp_option_245": True, "wireserver_endpoint": "168.63.129.16"}
    assert facts.get("wireserver_endpoint").line == 50


def test_reference_networkd_lease(reference):
    path = reference / "linux-agent" / "dhcp" / "run_systemd_netif_leases_2"
    records, facts, problems = run_parser(dhcp_lease, path.read_bytes(), NETWORKD_PATH)
    assert problems == []
    assert summary(records) == [
        (2, "lease interface=ifindex:2 fixed-address=10.0.0.69 option-245=168.63.129.16 expire=never"),
    ]
    assert facts.as_dict() == {"dhcp_option_245": True, "wireserver_endpoint": "168.63.129.16"}
    assert facts.get("wireserver_endpoint").line == 14
