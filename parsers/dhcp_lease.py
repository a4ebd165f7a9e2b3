"""DHCP lease files: dhclient's ``*.leases`` and systemd-networkd's ``/run/systemd/netif/leases/<ifindex>``.

Declares ``SPECS`` (dhcp_lease: dhclient and systemd-networkd leases).

Azure hands the WireServer address (168.63.129.16) to the VM in DHCP option
245; the agent falls back on these files to find it. dhclient writes
``lease { ... }`` blocks, newest last, with the option as colon-separated
hex bytes (``option unknown-245 a8:3f:81:10;``); networkd writes one lease as
``KEY=value`` lines (``OPTION_245=a83f8110``).

Records: one summary per lease, at the line where the lease starts:
``lease interface=<if> fixed-address=<ip> option-245=<ip or absent>
expire=<UTC time, never, or lifetime>``. Facts: ``dhcp_option_245`` (True
when a lease carries the option, False when leases exist but none does) and
``wireserver_endpoint`` (the address from the last lease that carries it).

Sample input::

    lease {
      interface "eth0";
      fixed-address 10.20.0.5;
      option dhcp-server-identifier 168.63.129.16;
      option unknown-245 a8:3f:81:10;
      expire 3 2024/05/15 02:05:02;
    }
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import OS, Record, iso
from azlog_vmbackup.core.text import utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("dhcp_lease", r"(?:var/lib/dhcp|var/lib/dhclient)/[^/]*\.leases?", os=OS.LINUX),
    Spec("dhcp_lease", r"run/systemd/netif/leases/\d+", os=OS.LINUX),
)

_LEASE_START = Lazy(r"^\s*lease\s*\{")
_LEASE_END = Lazy(r"^\s*\}")
_STATEMENT = Lazy(r"^\s*(?P<key>interface|fixed-address|expire)\s+(?P<value>[^;]*);")
_OPTION_245 = Lazy(r"^\s*option\s+unknown-245\s+(?P<value>[^;]*);")
_NETWORKD = Lazy(r"^(?P<key>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
_HEX_BYTES = Lazy(r"^(?P<b>[0-9A-Fa-f]{1,2})(?::(?P<b>[0-9A-Fa-f]{1,2})){3}$")
_HEX_WORD = Lazy(r"^[0-9A-Fa-f]{8}$")
_DATE = Lazy(r"^(?:\d\s+)?(?P<y>\d{4})/(?P<mo>\d{1,2})/(?P<d>\d{1,2})\s+"
             r"(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})")
_EPOCH = Lazy(r"^epoch\s+(\d{1,12})$")
_INFINITE = "4294967295"


@dataclass
class _Lease:
    line: int
    interface: str = "absent"
    address: str = "absent"
    option: str | None = None  # as shown: the decoded address, else the raw value
    endpoint: str | None = None  # the decoded address
    option_line: int | None = None
    expire: str = "absent"

    def summary(self) -> str:
        return (f"lease interface={self.interface} fixed-address={self.address} "
                f"option-245={self.option or 'absent'} expire={self.expire}")


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per lease; set ``dhcp_option_245`` and ``wireserver_endpoint``.

    >>> ctx = context('run/systemd/netif/leases/2')
    >>> [r.message for r in parse(io.BytesIO(b'ADDRESS=10.0.0.4\\nLIFETIME=3600\\nOPTION_245=a83f8110\\n'), ctx)]
    ['lease interface=ifindex:2 fixed-address=10.0.0.4 option-245=168.63.129.16 expire=3600s']
    """
    leases: list[_Lease] = []
    current: _Lease | None = None
    networkd: _Lease | None = None
    for number, text in ctx.lines(stream):
        if current is not None:
            if _LEASE_END.match(text):
                leases.append(current)
                yield ctx.record(current.line, current.summary())
                current = None
            else:
                _dhclient_line(current, number, text)
        elif _LEASE_START.match(text):
            current = _Lease(number)
        elif m := _NETWORKD.match(text):
            networkd = networkd or _Lease(number, interface=_ifindex(ctx.path))
            _networkd_line(networkd, number, m["key"], m["value"].strip())
    if current is not None:
        ctx.problem(f"lease block starting at line {current.line} is not closed")
        leases.append(current)
        yield ctx.record(current.line, current.summary())
    if networkd is not None:
        leases.append(networkd)
        yield ctx.record(networkd.line, networkd.summary())
    _facts(leases, ctx)


def _dhclient_line(lease: _Lease, number: int, text: str) -> None:
    if m := _OPTION_245.match(text):
        _option(lease, number, m["value"].strip())
    elif m := _STATEMENT.match(text):
        value = m["value"].strip()
        if m["key"] == "interface":
            lease.interface = value.strip('"') or "absent"
        elif m["key"] == "fixed-address":
            lease.address = value or "absent"
        else:
            lease.expire = _expiry(value)


def _networkd_line(lease: _Lease, number: int, key: str, value: str) -> None:
    if key == "ADDRESS":
        lease.address = value or "absent"
    elif key == "OPTION_245":
        _option(lease, number, value)
    elif key == "LIFETIME":
        lease.expire = "never" if value == _INFINITE else f"{value}s"


def _ifindex(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return f"ifindex:{name}" if name.isdigit() else "absent"


def _option(lease: _Lease, number: int, raw: str) -> None:
    lease.endpoint = _address(raw)
    lease.option = lease.endpoint or raw or "empty"
    lease.option_line = number


def _address(raw: str) -> str | None:
    """Option 245 as a dotted address; None when it is not 4 hex bytes.

    >>> _address('a8:3f:81:10'), _address('A83F8110'), _address('a:b:c:d'), _address('"junk"')
    ('168.63.129.16', '168.63.129.16', '10.11.12.13', None)
    """
    if m := _HEX_BYTES.match(raw):
        return ".".join(str(int(b, 16)) for b in m.captures("b"))
    if _HEX_WORD.match(raw):
        return ".".join(str(int(raw[i:i + 2], 16)) for i in range(0, 8, 2))
    return None


def _expiry(value: str) -> str:
    """dhclient's expiry (``<weekday> YYYY/MM/DD HH:MM:SS`` in UTC, ``epoch <seconds>`` or
    ``never``) as ISO UTC; any other text is kept as written.

    >>> _expiry('4 2015/06/16 16:58:54'), _expiry('0 never'), _expiry('epoch 1718000000'), _expiry('soon')
    ('2015-06-16T16:58:54Z', 'never', '2024-06-10T06:13:20Z', 'soon')
    """
    if value.endswith("never"):
        return "never"
    time = None
    if m := _DATE.match(value):
        time = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]))
    elif m := _EPOCH.match(value):
        try:
            time = datetime.fromtimestamp(int(m[1]), timezone.utc)
        except (OverflowError, OSError, ValueError):
            time = None
    return iso(time) if time else value or "absent"


def _facts(leases: list[_Lease], ctx: ParseContext) -> None:
    if not leases:
        return
    carrying = [lease for lease in leases if lease.option is not None]
    if not carrying:
        ctx.fact("dhcp_option_245", False, line=leases[-1].line)
        return
    ctx.fact("dhcp_option_245", True, line=carrying[-1].option_line)
    decoded = [lease for lease in carrying if lease.endpoint]
    if decoded:
        ctx.fact("wireserver_endpoint", decoded[-1].endpoint, line=decoded[-1].option_line)
