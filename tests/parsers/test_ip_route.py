"""ip route output and the wireserver_unroutable fact."""
from __future__ import annotations

import pytest

from azlog_vmbackup.parsers import ip_route, registry
from tests.helpers import run_parser

HEALTHY_TABLE_ALL = """default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.4 metric 100
10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.4 metric 100
168.63.129.16 via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.4 metric 100
169.254.169.254 via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.4 metric 100
local 10.0.0.4 dev eth0 table local proto kernel scope host src 10.0.0.4
broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.4
local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
::1 dev lo proto kernel metric 256 pref medium
fe80::/64 dev eth0 proto kernel metric 256 pref medium
"""


def unroutable(text: str):
    return run_parser(ip_route, text, "ip-route.txt")[1].get("wireserver_unroutable")


def test_one_record_per_non_empty_line_and_nothing_wrong():
    path = "sos_commands/networking/ip_route_show_table_all"
    records, facts, problems = run_parser(ip_route, HEALTHY_TABLE_ALL, path)
    assert len(records) == 9 and records[0].message.startswith("default via") and records[0].time is None
    assert "wireserver_unroutable" not in facts and problems == []


def test_a_blackhole_route_for_the_wireserver():
    fact = unroutable("default via 10.0.0.1 dev eth0 proto dhcp metric 100\nblackhole 168.63.129.16 proto static\n")
    assert (fact.value, fact.line) == ("blackhole 168.63.129.16 proto static (the route 168.63.129.16 takes)", 2)


def test_a_more_specific_route_wins_over_an_unreachable_range():
    text = "unreachable 168.63.0.0/16\n168.63.129.16 via 10.0.0.1 dev eth0 proto dhcp\n"
    assert unroutable(text) is None


def test_no_default_route_and_no_route_to_the_wireserver():
    fact = unroutable("10.20.1.0/24 dev eth0 proto kernel scope link src 10.20.1.9\n"
                      "169.254.0.0/16 dev eth0 scope link metric 1002\n")
    assert fact.value == "no route to 168.63.129.16 in the main table (no default route)"


@pytest.mark.parametrize("text", [
    "10.0.0.0/24 dev eth0 proto kernel scope link\ndefault via 10.0.0.1 dev eth0 table 100\n",  # policy routing
    "default proto static metric 100\n\tnexthop via 10.0.0.1 dev eth0 weight 1\n10.0.0.0/24 dev eth0 proto kernel\n",
    "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1\n",  # only the local table
    "RTNETLINK answers: Operation not permitted\n",
    "10.0.0.0/24 proto kernel scope link src 10.0.0.4\n",  # ip route show 10.0.0.0/24: one route, a filtered listing
])
def test_nothing_said_when_the_table_says_too_little(text):
    assert unroutable(text) is None


@pytest.mark.parametrize("path", [
    "sosreport-vm1-2026-01-02/sos_commands/networking/ip_route_show_table_all",
    "sos_commands/networking/ip_-4_route_show_table_all",
    "sosreport-vm1-2026-01-02/ip_route",
    "ip-route.txt",
    "case/ip_route_show.out",
])
def test_classified_as_ip_route(path):
    assert registry.classify(path).name == "ip_route"


def test_unnamed_route_output_is_sniffed():
    assert registry.sniff(HEALTHY_TABLE_ALL).name == "ip_route"
    assert registry.sniff("just some words\n").name == "text"
