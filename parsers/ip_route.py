"""The routing table as ``ip route`` prints it (``ip route show table all``, ``ip -4 route``, ``route -n`` not read).

Declares ``SPECS`` (ip_route) and ``SNIFF_ORDER`` for ``sniff``.

Read from a sosreport (``sos_commands/networking/ip_route_show_table_all``,
``ip_-4_route_show_table_all``, the ``ip_route`` link at its top), from files
saved as ``ip-route*.txt`` / ``ip_route*.txt``, and from any text member whose
lines look like routes.

Records: one per non-empty line, the line as written, no time or level.

Fact: ``wireserver_unroutable``, set when the main table sends 168.63.129.16
nowhere: the most specific IPv4 route that covers it is ``unreachable``,
``blackhole`` or ``prohibit``, or the table has routes (two at least: one
alone is more likely a filtered listing) but none covers it (no default
route, no route to the wireserver). Routes of other tables (``table local``,
policy-routing tables) are not judged, and when such a table covers the
address the main table's gap is not reported either, since a rule may send
the traffic there. The value names the route (or its absence).

Sample input::

    default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.4 metric 100
    10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.4 metric 100
    168.63.129.16 via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.4 metric 100
    169.254.169.254 via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.4 metric 100
"""
from __future__ import annotations

import ipaddress
from typing import BinaryIO, Iterator, NamedTuple

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("ip_route", r"sos_commands/networking/ip_(?:-4_)?route(?:_show)?(?:_table_all)?|sosreport[^/]*/ip_route",
         os=OS.LINUX),
    Spec("ip_route", r"ip[-_]?route[^/]*\.(?:txt|out)", os=OS.LINUX),
)
SNIFF_ORDER = 36
SNIFF_HINT = r" dev "

WIRESERVER = ipaddress.ip_address("168.63.129.16")
_TYPES = ("unicast", "unreachable", "blackhole", "prohibit", "throw", "local", "broadcast", "anycast", "multicast",
          "nat")
_NOWHERE = ("unreachable", "blackhole", "prohibit")
_ROUTE = Lazy(
    r"^(?:(?P<type>" + "|".join(_TYPES) + r")\s+)?(?P<dest>default|\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?)"
    r"(?:\s+(?P<rest>.*))?$")
_TABLE = Lazy(r"\btable (?P<table>\S+)")


class Route(NamedTuple):
    line: int
    text: str
    kind: str
    network: ipaddress.IPv4Network
    table: str


def read_route(line: int, text: str) -> Route | None:
    """The route a line of ``ip route`` output states, or None.

    >>> read_route(1, 'blackhole 168.63.129.16 proto static').kind
    'blackhole'
    >>> read_route(2, 'default via 10.0.0.1 dev eth0 proto dhcp metric 100').network
    IPv4Network('0.0.0.0/0')
    >>> read_route(3, 'fe80::/64 dev eth0 proto kernel metric 256') is None
    True
    """
    m = _ROUTE.match(text.strip())
    if m is None:
        return None
    rest = m["rest"] or ""
    kind = m["type"] or "unicast"
    if kind == "unicast" and not rest:
        return None
    try:
        network = ipaddress.ip_network("0.0.0.0/0" if m["dest"] == "default" else m["dest"], strict=False)
    except ValueError:
        return None
    table = _TABLE.search(rest)
    return Route(line, text.strip(), kind, network, table["table"] if table else "main")


def sniff(head: str) -> bool:
    """True when most non-empty lines of ``head`` are IPv4 routes as ``ip route`` prints them.

    >>> sniff('default via 10.0.0.1 dev eth0 proto dhcp metric 100\\n10.0.0.0/24 dev eth0 proto kernel scope link\\n')
    True
    >>> sniff('10.0.0.4 - - [14/May/2024:02:05:02 +0000] "GET / HTTP/1.1" 200\\n')
    False
    """
    lines = [line for line in head.splitlines()[:40] if line.strip()]
    routes = [line for n, line in enumerate(lines) if read_route(n, line) is not None]
    return any(" dev " in line for line in routes) and len(routes) * 2 > len(lines)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a record per non-empty line; set ``wireserver_unroutable`` when the main table sends 168.63.129.16 nowhere.

    >>> ctx = context('sos_commands/networking/ip_route_show_table_all')
    >>> data = (b'10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.4\\n'
    ...         b'169.254.0.0/16 dev eth0 scope link metric 1002\\nlocal 10.0.0.4 dev eth0 table local\\n')
    >>> [r.line for r in parse(io.BytesIO(data), ctx)]
    [1, 2, 3]
    >>> ctx.facts.value('wireserver_unroutable')
    'no route to 168.63.129.16 in the main table (no default route)'
    """
    routes: list[Route] = []
    for number, text in ctx.lines(stream):
        if not text.strip():
            continue
        route = read_route(number, text)
        if route is not None and route.network.version == 4:
            routes.append(route)
        yield ctx.record(number, text)
    found = unroutable(routes)
    if found is not None:
        ctx.fact("wireserver_unroutable", found[0], found[1])


def unroutable(routes: list[Route]) -> tuple[str, int | None] | None:
    """(why 168.63.129.16 is sent nowhere, the line), or None when a route reaches it or the table says too little."""
    main = [r for r in routes if r.table == "main" and r.kind in ("unicast", *_NOWHERE, "throw")]
    if not main:
        return None
    covering = [r for r in main if WIRESERVER in r.network]
    if covering:
        best = max(covering, key=lambda r: r.network.prefixlen)
        if best.kind in _NOWHERE:
            return f"{best.text} (the route 168.63.129.16 takes)", best.line
        return None
    others = [r for r in routes if r.table not in ("main", "local") and WIRESERVER in r.network]
    if others or len(main) < 2:  # one route alone is a filtered listing (ip route show <prefix>), not the table
        return None
    return "no route to 168.63.129.16 in the main table (no default route)", main[0].line
