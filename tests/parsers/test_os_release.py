"""/etc/os-release."""
from __future__ import annotations

from azlog_vmbackup.parsers import os_release
from tests.helpers import run_parser

PATH = "etc/os-release"

UBUNTU = """PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"\x20
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
"""

SLES = """# SUSE release
NAME='SLES'
VERSION_ID='15.5'

PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5 \\"Azure\\""
ID="sles"
"""


def test_ubuntu_records_and_facts():
    records, facts, problems = run_parser(os_release, UBUNTU, PATH)
    assert problems == []
    assert [r.line for r in records] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert records[0].message == 'PRETTY_NAME="Ubuntu 22.04.4 LTS"'
    assert records[2].message == 'VERSION_ID="22.04" '
    assert all(r.level is None and r.time is None for r in records)
    assert facts.as_dict() == {"os_distro": "ubuntu", "os_name": "Ubuntu 22.04.4 LTS", "os_version": "22.04"}
    assert (facts.get("os_distro").line, facts.get("os_name").line, facts.get("os_version").line) == (6, 1, 3)


def test_single_quotes_escapes_comments_and_blank_lines():
    records, facts, problems = run_parser(os_release, SLES, PATH)
    assert problems == []
    assert [r.line for r in records] == [2, 3, 5, 6]
    assert facts.as_dict() == {"os_distro": "sles", "os_name": 'SUSE Linux Enterprise Server 15 SP5 "Azure"',
                               "os_version": "15.5"}


def test_broken_quoting_and_empty_values():
    records, facts, problems = run_parser(os_release, 'ID="centos\nVERSION_ID=\nPRETTY_NAME=CentOS Linux 7\n', PATH)
    assert [r.line for r in records] == [1, 2, 3]
    assert facts.as_dict() == {"os_distro": "centos", "os_name": "CentOS Linux 7"}
    assert problems == []


def test_garbage_yields_nothing():
    records, facts, problems = run_parser(os_release, b"\x00\x01\x02\nno assignment here\n", PATH)
    assert (records, facts.as_dict(), problems) == ([], {}, [])
