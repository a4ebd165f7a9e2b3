"""Firewall rule listings: ``iptables -L -n [-v] [-x]``, ``iptables-save`` and ``nft list ruleset``.

Declares ``SPECS`` (firewall_rules) and ``SNIFF_ORDER`` for ``sniff``.

Read from a sosreport (``sos_commands/networking/iptables_-t_filter_-nvL``,
``sos_commands/firewall_tables/iptables_-vnxL``, ``nft_-a_list_ruleset``,
``iptables-save``), the saved rule files (``/etc/sysconfig/iptables``,
``/etc/iptables/rules.v4``, ``/etc/nftables.conf``), files saved as
``iptables*.txt`` or ``nft*.txt``, and any text member that looks like one of
the three listings. Several listings may follow one another in one file (the
``-L`` output of each table, say): a chain seen a second time starts a new table.

Records: one per non-empty line, the line as written, no time or level.

Fact: ``wireserver_blocked``, set when the rules drop or reject what the agent
needs: a TCP connection from root to 168.63.129.16 on port 80 (the wireserver)
or 32526 (the host plugin), or the answer coming back. Each table's OUTPUT
(and INPUT) chain is walked as the kernel walks it, first match wins, through
the user chains it jumps to, down to the chain's policy; a chain the listing
reaches from nowhere (FORWARD, a container's chain) does not count. A condition
that cannot be judged from the listing (a rate limit, a mark, an address set
held elsewhere) makes an ACCEPT count as accepting and a DROP as not matching,
so only a rule that certainly applies is reported. The agent's own rules
(ACCEPT for root, then DROP of new connections for everyone else) therefore
block nothing. The value names the rule (or the policy) and the port; the
fact's line is that rule's.

Sample input::

    Chain OUTPUT (policy ACCEPT 104 packets, 43628 bytes)
     pkts bytes target     prot opt in     out     source               destination
        0     0 ACCEPT     tcp  --  *      *       0.0.0.0/0            168.63.129.16        tcp dpt:53
      138 41640 ACCEPT     tcp  --  *      *       0.0.0.0/0            168.63.129.16        owner UID match 0
        0     0 DROP       tcp  --  *      *       0.0.0.0/0            168.63.129.16        ctstate INVALID,NEW
"""
from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("firewall_rules", r"sos_commands/(?:networking|firewall_tables)/(?:ip6?tables(?:_-t_\w+)?_-[a-z]*l[a-z]*"
         r"|ip6?tables-save|nft_(?:-a_)?list_ruleset)[^/]*", os=OS.LINUX),
    Spec("firewall_rules", r"etc/sysconfig/ip6?tables|etc/iptables/rules\.v[46]|etc/(?:sysconfig/)?nftables\.conf",
         os=OS.LINUX),
    Spec("firewall_rules", r"(?:ip6?tables|nft)[^/]*\.(?:txt|out)", os=OS.LINUX),
)
SNIFF_ORDER = 35
SNIFF_HINT = r"Chain |\*|table |flush ruleset|#!/usr/sbin/nft"

WIRESERVER = ipaddress.ip_address("168.63.129.16")
PORTS = (80, 32526)  # the wireserver and the host plugin
EPHEMERAL = (32768, 60999)  # Linux's local port range: the VM's end of the agent's connections
MAX_RULES = 20000
MAX_DEPTH = 16

YES, MAYBE, NO = 2, 1, 0  # does a condition match the agent's packet

_CHAIN = Lazy(r"^Chain (?P<name>\S+) \((?:policy (?P<policy>[A-Z]+)|\d+ references?)")
_SAVE_TABLE = Lazy(r"^\*(?P<table>\w+)\s*$")
_SAVE_CHAIN = Lazy(r"^:(?P<name>\S+) (?P<policy>[A-Z]+|-)(?: \[\d+:\d+\])?")
_NFT_TABLE = Lazy(r"^\s*table (?P<family>ip|ip6|inet|arp|bridge|netdev) (?P<name>\S+) \{")
_NFT_CHAIN = Lazy(r"^\s*chain (?P<name>\S+) \{")
_NFT_SET = Lazy(r"^\s*(?:set|map) (?P<name>\S+) \{")
_NFT_HOOK = Lazy(r"\btype (?P<type>\w+) hook (?P<hook>\w+)\b(?:.*?\bpolicy (?P<policy>\w+))?")
_ADDRESS = Lazy(r"^!?(?:\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?|anywhere"
                r"|[0-9a-fA-F]*::?[0-9a-fA-F:]*(?:/\d{1,3})?)$")
_OPT = Lazy(r"^(?:--|-f|!f)$")
_COUNT = Lazy(r"^\d+[KMGT]?$")
_BUILTIN = {"INPUT": "input", "OUTPUT": "output", "FORWARD": "forward", "PREROUTING": "prerouting",
            "POSTROUTING": "postrouting"}
_TERMINAL = {"ACCEPT": "accept", "DROP": "drop", "REJECT": "drop", "RETURN": "return", "accept": "accept",
             "drop": "drop", "reject": "drop", "return": "return"}
_CONTAINER_IF = Lazy(r"^(?:docker|br-|cni|veth|virbr|cali|flannel|azv|kube|weave|vxlan|tun|tap)")


@dataclass
class Cond:
    kind: str  # daddr saddr proto dport sport uid ctstate oif iif unknown
    value: object = None
    neg: bool = False


@dataclass
class Rule:
    line: int
    text: str
    conds: list[Cond] = field(default_factory=list)
    verdict: str | None = None  # accept, drop, return, jump, goto, or None (non-terminating)
    target: str | None = None  # the chain of a jump or goto


@dataclass
class Chain:
    name: str
    line: int
    hook: str | None = None  # input, output... for a chain the kernel enters
    policy: str | None = None  # accept or drop, for such a chain
    rules: list[Rule] = field(default_factory=list)


@dataclass
class Table:
    name: str
    kind: str  # listing (iptables -L), save (iptables-save) or nft
    chains: dict[str, Chain] = field(default_factory=dict)


def sniff(head: str) -> bool:
    """True when ``head`` starts like an ``iptables -L``, ``iptables-save`` or ``nft list ruleset`` listing.

    >>> sniff('Chain INPUT (policy ACCEPT)\\ntarget     prot opt source               destination\\n')
    True
    >>> sniff('# Generated by iptables-save v1.8.7 on Tue May 14 02:05:02 2024\\n*filter\\n')
    True
    >>> sniff('table inet filter {\\n\\tchain input {\\n')
    True
    >>> sniff('May 14 02:05:02 vm1 kernel: Chain INPUT dropped\\n')
    False
    """
    for text in head.splitlines()[:20]:
        if not text.strip() or text.startswith("# Generated by") or text.startswith("# Warning:"):
            continue
        return bool(_CHAIN.match(text) or _SAVE_TABLE.match(text) or _NFT_TABLE.match(text)
                    or text.startswith("flush ruleset") or text.startswith("#!/usr/sbin/nft"))
    return False


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a record per non-empty line; set ``wireserver_blocked`` when the rules drop the agent's traffic.

    >>> ctx = context('sos_commands/networking/iptables_-t_filter_-nvL')
    >>> data = (b'Chain OUTPUT (policy ACCEPT)\\n'
    ...         b'target     prot opt source               destination\\n'
    ...         b'REJECT     all  --  0.0.0.0/0            168.63.129.16        reject-with icmp-port-unreachable\\n')
    >>> [r.line for r in parse(io.BytesIO(data), ctx)]
    [1, 2, 3]
    >>> ctx.facts.value('wireserver_blocked')
    'REJECT all -- 0.0.0.0/0 168.63.129.16 reject-with icmp-port-unreachable (chain OUTPUT; port 80)'
    >>> ctx.facts.get('wireserver_blocked').line
    3
    """
    reader = _Reader()
    for number, raw in ctx.lines(stream):
        text = redact_sas(raw)
        if not text.strip():
            continue
        reader.feed(number, text)
        yield ctx.record(number, text)
    found = blocked(reader.tables())
    if found is not None:
        ctx.fact("wireserver_blocked", found[0], found[1])


# ---------------------------------------------------------------- reading the three formats

class _Reader:
    """Gathers tables of chains and rules from whichever listing format the lines are in."""

    def __init__(self) -> None:
        self._tables: list[Table] = []
        self._table: Table | None = None
        self._chain: Chain | None = None
        self._columns: list[str] = []
        self._sets: dict[str, list[str]] = {}
        self._set: str | None = None
        self._rules = 0

    def tables(self) -> list[Table]:
        return self._tables

    def _new_table(self, name: str, kind: str) -> Table:
        self._table = Table(name, kind)
        self._tables.append(self._table)
        return self._table

    def feed(self, number: int, text: str) -> None:
        if self._rules >= MAX_RULES:
            return
        stripped = text.strip()
        kind = self._table.kind if self._table is not None else None
        if m := _CHAIN.match(text):
            self._listing_chain(number, m)
        elif kind == "listing" and stripped.startswith(("target ", "num ", "pkts ")):
            self._columns = stripped.split()
        elif m := _SAVE_TABLE.match(text):
            self._new_table(m["table"], "save")
            self._chain = None
        elif m := _SAVE_CHAIN.match(text):
            if kind != "save":
                self._new_table("filter", "save")
            hook = _BUILTIN.get(m["name"])
            policy = m["policy"].lower() if m["policy"] in ("ACCEPT", "DROP") else None
            self._table.chains[m["name"]] = Chain(m["name"], number, hook, policy if hook else None)
        elif stripped.startswith(("-A ", "-I ")) and kind != "nft":
            if kind != "save":
                self._new_table("filter", "save")
            self._save_rule(number, stripped)
        elif m := _NFT_TABLE.match(text):
            self._new_table(f"{m['family']} {m['name']}", "nft")
            self._chain, self._set, self._sets = None, None, {}
        elif kind == "nft":
            self._nft_line(number, stripped)
        elif kind == "listing" and self._chain is not None:
            self._listing_rule(number, stripped)

    # iptables -L
    def _listing_chain(self, number: int, m: regex.Match) -> None:
        name = m["name"]
        if self._table is None or self._table.kind != "listing" or name in self._table.chains:
            self._new_table("filter", "listing")
        hook = _BUILTIN.get(name)
        policy = m["policy"].lower() if m["policy"] in ("ACCEPT", "DROP") else None
        self._chain = Chain(name, number, hook, policy if hook else None)
        self._table.chains[name] = self._chain
        self._columns = []

    def _listing_rule(self, number: int, stripped: str) -> None:
        tokens = stripped.split()
        if self._columns:
            skip = sum(1 for c in self._columns[:3] if c in ("num", "pkts", "bytes"))
            verbose = "in" in self._columns
        else:  # no column header: the numbers of --line-numbers and -v lead the line
            skip = 0
            while skip < 3 and skip + 1 < len(tokens) and _COUNT.match(tokens[skip]) \
                    and not _OPT.match(tokens[skip + 1]):
                skip += 1
            verbose = skip >= 2
        while skip and tokens and _COUNT.match(tokens[0]):
            tokens, skip = tokens[1:], skip - 1
        where = next((i for i in range(len(tokens) - 1)
                      if _ADDRESS.match(tokens[i]) and _ADDRESS.match(tokens[i + 1])), None)
        if where is None or where > 6:
            return
        head, (source, destination), extras = tokens[:where], tokens[where:where + 2], tokens[where + 2:]
        rule = Rule(number, " ".join(tokens))
        if verbose and len(head) >= 2:
            iif, oif, head = head[-2], head[-1], head[:-2]
            rule.conds += [_iface("iif", iif), _iface("oif", oif)]
        if len(head) == 3 or len(head) == 2 and not _OPT.match(head[1]):
            target, proto = head[0], head[1]
        elif head:
            target, proto = None, head[0]
        else:
            return
        rule.conds.append(_proto(proto))
        rule.conds += [_addr("saddr", source), _addr("daddr", destination)]
        rule.conds += _listing_extras(extras)
        _set_target(rule, target)
        self._chain.rules.append(rule)
        self._rules += 1

    # iptables-save
    def _save_rule(self, number: int, stripped: str) -> None:
        try:
            words = shlex.split(stripped)
        except ValueError:
            words = stripped.split()
        if len(words) < 2:
            return
        chain = self._table.chains.get(words[1])
        if chain is None:
            chain = self._table.chains[words[1]] = Chain(words[1], number, _BUILTIN.get(words[1]))
        rule = Rule(number, stripped)
        neg = False
        i = 2
        while i < len(words):
            word = words[i]
            value = words[i + 1] if i + 1 < len(words) else ""
            if word == "!":
                neg, i = True, i + 1
                continue
            if value == "!":  # old placement: -d ! 1.2.3.4
                neg, value, i = True, words[i + 2] if i + 2 < len(words) else "", i + 1
            step = 2
            if word in ("-d", "--destination", "--dst"):
                rule.conds.append(_addr("daddr", value, neg))
            elif word in ("-s", "--source", "--src"):
                rule.conds.append(_addr("saddr", value, neg))
            elif word in ("-p", "--protocol"):
                rule.conds.append(_proto(value, neg))
            elif word in ("--dport", "--destination-port", "--dports", "--destination-ports"):
                rule.conds.append(Cond("dport", _ports(value), neg))
            elif word in ("--sport", "--source-port", "--sports", "--source-ports"):
                rule.conds.append(Cond("sport", _ports(value), neg))
            elif word == "--uid-owner":
                rule.conds.append(Cond("uid", _uids(value), neg))
            elif word in ("--ctstate", "--state"):
                rule.conds.append(Cond("ctstate", set(value.upper().split(",")), neg))
            elif word in ("-o", "--out-interface"):
                rule.conds.append(_iface("oif", value, neg))
            elif word in ("-i", "--in-interface"):
                rule.conds.append(_iface("iif", value, neg))
            elif word in ("-j", "--jump", "-g", "--goto"):
                _set_target(rule, value, goto=word in ("-g", "--goto"))
                break  # the rest are the target's options
            elif word in ("-m", "--match"):
                pass
            elif word in ("--comment",):
                pass
            elif word.startswith("-"):
                rule.conds.append(Cond("unknown", word))
                step = 1 if value.startswith("-") or not value else 2
            else:
                step = 1
            neg = False
            i += step
        chain.rules.append(rule)
        self._rules += 1

    # nft list ruleset
    def _nft_line(self, number: int, stripped: str) -> None:
        if m := _NFT_SET.match(stripped):
            self._set, self._chain = m["name"], None
            self._sets[self._set] = []
            return
        if m := _NFT_CHAIN.match(stripped):
            self._set = None
            self._chain = Chain(m["name"], number)
            self._table.chains[m["name"]] = self._chain
            return
        if self._set is not None:
            if "elements" in stripped or self._sets[self._set]:
                self._sets[self._set] += _nft_words(stripped.partition("=")[2] if "elements" in stripped else stripped)
            if stripped.endswith("}") and not stripped.startswith("elements"):
                self._set = None
            return
        if self._chain is None or stripped in ("}", "{") or stripped.startswith("#"):
            return
        if m := _NFT_HOOK.search(stripped):
            self._chain.hook = m["hook"] if m["type"] != "nat" else None
            if m["policy"] in ("accept", "drop"):
                self._chain.policy = m["policy"]
            elif self._chain.policy is None:
                self._chain.policy = "accept"
            return
        rule = _nft_rule(number, stripped.partition(" # handle")[0], self._sets)
        if rule is not None:
            self._chain.rules.append(rule)
            self._rules += 1


def _set_target(rule: Rule, target: str | None, goto: bool = False) -> None:
    if not target:
        return
    if target in _TERMINAL:
        rule.verdict = _TERMINAL[target]
    else:  # a user chain, or a target that is none (LOG, MARK...): the walk looks the chain up
        rule.verdict, rule.target = ("goto" if goto else "jump"), target


def _addr(kind: str, text: str, neg: bool = False) -> Cond:
    if text.startswith("!"):
        neg, text = not neg, text[1:]
    if text in ("anywhere", "0.0.0.0/0", ""):
        return Cond(kind, ipaddress.ip_network("0.0.0.0/0"), neg)
    try:
        return Cond(kind, ipaddress.ip_network(text, strict=False), neg)
    except ValueError:
        return Cond("unknown", text)


def _proto(text: str, neg: bool = False) -> Cond:
    if text.startswith("!"):
        neg, text = not neg, text[1:]
    return Cond("proto", text.lower(), neg)


def _iface(kind: str, text: str, neg: bool = False) -> Cond:
    if text.startswith("!"):
        neg, text = not neg, text[1:]
    return Cond(kind, text.strip('"'), neg)


def _ports(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in text.replace("{", "").replace("}", "").replace(" ", "").split(","):
        low, _, high = part.replace("-", ":").partition(":")
        try:
            ranges.append((int(low or 0), int(high or low or 65535)))
        except ValueError:
            return []
    return ranges


def _uids(text: str) -> list[tuple[int, int]] | None:
    if text == "root":
        return [(0, 0)]
    low, _, high = text.partition("-")
    try:
        return [(int(low), int(high or low))]
    except ValueError:
        return None  # a user name: not root, but it may be anyone else


_EXTRA = Lazy(
    r"(?P<neg>!\s*)?(?:(?P<l4>tcp|udp|sctp|udplite) )?(?P<key>dpts?|spts?):(?P<neg2>!)?(?P<val>\S+)"
    r"|(?P<neg>!\s*)?multiport (?P<mkey>dports|sports|ports) (?P<neg2>!)?(?P<mval>\S+)"
    r"|(?P<neg>!\s*)?owner UID match (?P<neg2>!)?(?P<uid>\S+)"
    r"|(?P<neg>!\s*)?(?:ct)?state (?P<neg2>!)?(?P<state>[A-Z,]+)"
    r"|/\*.*?\*/"
    r"|(?P<skip>reject-with \S+|LOG flags \d+ level \d+(?: prefix (?:\"[^\"]*\"|\S+))?|tcp|udp|owner|ctstate)"
    r"|(?P<other>\S+)")


def _listing_extras(extras: list[str]) -> list[Cond]:
    conds: list[Cond] = []
    for m in _EXTRA.finditer(" ".join(extras)):
        neg = bool(m["neg"] or m["neg2"])
        if m["key"]:
            conds.append(Cond("dport" if m["key"].startswith("d") else "sport", _ports(m["val"]), neg))
        elif m["mkey"]:
            kind = {"dports": "dport", "sports": "sport"}.get(m["mkey"], "unknown")
            conds.append(Cond(kind, _ports(m["mval"]), neg))
        elif m["uid"]:
            conds.append(Cond("uid", _uids(m["uid"]), neg))
        elif m["state"]:
            conds.append(Cond("ctstate", set(m["state"].split(",")), neg))
        elif m["other"]:
            conds.append(Cond("unknown", m["other"]))
    return conds


def _nft_words(text: str) -> list[str]:
    return [w for w in regex.split(r"[\s,{}]+", text.replace("}", " ").replace(";", " ")) if w]


def _nft_rule(number: int, text: str, sets: dict[str, list[str]]) -> Rule | None:
    """The conditions and verdict of one ``nft`` rule line; None for a line that is no rule."""
    rule = Rule(number, text)
    words = regex.findall(r'\{[^}]*\}|"[^"]*"|\S+', text)
    i = 0
    while i < len(words):
        word = words[i]
        rest = words[i + 1:]
        if word in ("accept", "drop", "return"):
            rule.verdict = word
            break
        if word == "reject":
            rule.verdict = "drop"
            break
        if word in ("jump", "goto") and rest:
            rule.verdict, rule.target = word, rest[0]
            break
        if word in ("counter", "packets", "bytes") or word.isdigit() and i and words[i - 1] in ("packets", "bytes"):
            i += 1
            continue
        if word in ("log", "comment", "limit", "quota"):
            if word in ("limit", "quota"):
                rule.conds.append(Cond("unknown", word))
            i += 1
            while i < len(words) and words[i] not in ("accept", "drop", "reject", "return", "jump", "goto",
                                                       "counter"):
                i += 1
            continue
        matched = _nft_match(word, rest, sets)
        if matched is None:
            rule.conds.append(Cond("unknown", word))
            i += 1
            continue
        cond, used = matched
        if cond is not None:
            rule.conds.append(cond)
        i += 1 + used
    if rule.verdict is None and not rule.conds:
        return None
    return rule


def _nft_value(rest: list[str], sets: dict[str, list[str]]) -> tuple[bool, list[str], int]:
    """(negated, the values, words used) of an nft comparison: ``[!=] value``, ``{ a, b }`` or ``@set``."""
    neg, used = False, 0
    if rest and rest[0] in ("!=", "=="):
        neg, used = rest[0] == "!=", 1
    if len(rest) <= used:
        return neg, [], used
    value = rest[used].strip('"')
    if value.startswith("@"):
        return neg, sets.get(value[1:], ["?"]), used + 1
    return neg, _nft_words(value) or [value], used + 1


def _nft_match(word: str, rest: list[str], sets: dict[str, list[str]]) -> tuple[Cond | None, int] | None:
    """The condition an nft expression starting at ``word`` sets, and how many more words it takes."""
    if word in ("ip", "ip6") and rest and rest[0] in ("daddr", "saddr", "protocol"):
        neg, values, used = _nft_value(rest[1:], sets)
        if rest[0] == "protocol":
            return Cond("proto", {v.lower() for v in values}, neg), 1 + used
        nets = []
        for v in values:
            try:
                nets.append(ipaddress.ip_network(v, strict=False))
            except ValueError:
                return Cond("unknown", v), 1 + used
        return Cond(rest[0], nets, neg), 1 + used
    if word in ("tcp", "udp", "sctp", "th") and rest and rest[0] in ("dport", "sport"):
        neg, values, used = _nft_value(rest[1:], sets)
        ports = _ports(",".join(values))
        cond = Cond(rest[0], ports, neg)
        if word != "th":
            return Cond("all", [Cond("proto", {word}), cond]), 1 + used
        return cond, 1 + used
    if word == "meta" and rest and rest[0] in ("skuid", "l4proto", "oifname", "oif", "iifname", "iif", "nfproto"):
        inner = _nft_match(rest[0], rest[1:], sets)
        return (inner[0], inner[1] + 1) if inner is not None else None
    if word == "skuid":
        neg, values, used = _nft_value(rest, sets)
        uids = []
        for v in values:
            found = _uids(v)
            if found is None:
                return Cond("uid", None, neg), used
            uids += found
        return Cond("uid", uids, neg), used
    if word == "l4proto":
        neg, values, used = _nft_value(rest, sets)
        return Cond("proto", {v.lower() for v in values}, neg), used
    if word in ("oifname", "oif", "iifname", "iif"):
        neg, values, used = _nft_value(rest, sets)
        kind = "oif" if word.startswith("o") else "iif"
        return (_iface(kind, values[0], neg) if len(values) == 1 else Cond("unknown", word)), used
    if word == "nfproto":
        neg, values, used = _nft_value(rest, sets)
        return (None if "ipv4" in values and not neg else Cond("proto", {"none"})), used
    if word == "ct" and rest and rest[0] == "state":
        neg, values, used = _nft_value(rest[1:], sets)
        return Cond("ctstate", {v.upper() for v in values}, neg), 1 + used
    return None


# ---------------------------------------------------------------- walking the chains

@dataclass(frozen=True)
class Packet:
    hook: str  # output: root's connection to the wireserver; input: the wireserver's answer
    port: int


def _judge(cond: Cond, p: Packet) -> int:
    result = _judge_plain(cond, p)
    if cond.neg and result != MAYBE:
        result = YES if result == NO else NO
    return result


def _judge_plain(cond: Cond, p: Packet) -> int:
    out = p.hook == "output"
    kind, value = cond.kind, cond.value
    if kind == "all":
        results = [_judge(c, p) for c in value]
        return NO if NO in results else MAYBE if MAYBE in results else YES
    if kind in ("daddr", "saddr"):
        nets = value if isinstance(value, list) else [value]
        if (kind == "daddr") == out:
            return YES if any(WIRESERVER in n for n in nets if n.version == 4) else NO
        return YES if any(n.prefixlen == 0 and n.version == 4 for n in nets) else MAYBE
    if kind == "proto":
        names = value if isinstance(value, set) else {value}
        return YES if names & {"tcp", "6", "all", "0", "ip"} else NO
    if kind in ("dport", "sport"):
        if not value:
            return MAYBE
        if (kind == "dport") != out:  # the VM's own port, one of the ephemeral range
            low_e, high_e = EPHEMERAL
            if any(low <= low_e and high >= high_e for low, high in value):
                return YES
            return MAYBE if any(low <= high_e and high >= low_e for low, high in value) else NO
        return YES if any(low <= p.port <= high for low, high in value) else NO
    if kind == "uid":
        if not out or value is None:
            return MAYBE
        return YES if any(low <= 0 <= high for low, high in value) else NO
    if kind == "ctstate":
        state = "NEW" if out else "ESTABLISHED"
        return YES if state in value else NO
    if kind in ("oif", "iif"):
        name = str(value)
        if name in ("*", "any", ""):
            return YES
        if (kind == "oif") != out:
            return MAYBE
        return NO if name == "lo" or _CONTAINER_IF.match(name) else YES
    return MAYBE


def _matches(rule: Rule, p: Packet) -> int:
    results = [_judge(c, p) for c in rule.conds]
    return NO if NO in results else MAYBE if MAYBE in results else YES


def _walk(table: Table, chain: Chain, p: Packet, depth: int) -> tuple[str, Rule | None, int]:
    """("accept" | "drop" | "maybe-drop" | "fall", the deciding rule, how sure) for ``p`` through ``chain``."""
    for rule in chain.rules:
        if rule.verdict is None:
            continue
        match = _matches(rule, p)
        if match == NO:
            continue
        verdict = rule.verdict
        if verdict in ("jump", "goto"):
            sub = table.chains.get(rule.target or "")
            if sub is None or depth >= MAX_DEPTH or sub is chain:
                continue  # a target that is no chain here (LOG, MARK...) or one too deep: the walk goes on
            result, why, sure = _walk(table, sub, p, depth + 1)
            if result == "accept":
                return "accept", why, sure
            if result == "drop":
                if match == YES and sure == YES:
                    return "drop", why, YES
                continue
            if verdict == "goto":
                break
            continue
        if verdict == "accept":
            return "accept", rule, match
        if verdict == "return":
            if match == YES:
                break
            continue
        if verdict == "drop" and match == YES:
            return "drop", rule, YES
    return "fall", None, YES


def _entry_chains(table: Table, hook: str) -> list[Chain]:
    return [c for c in table.chains.values() if c.hook == hook]


def blocked(tables: list[Table]) -> tuple[str, int] | None:
    """(what drops the agent's traffic, its line), or None when the rules let it through."""
    for port in PORTS:
        for hook in ("output", "input"):
            p = Packet(hook, port)
            for table in tables:
                if table.name == "nat" and table.kind != "nft":
                    continue
                for chain in _entry_chains(table, hook):
                    result, rule, _ = _walk(table, chain, p, 0)
                    if result == "drop" and rule is not None:
                        return f"{rule.text} (chain {_chain_of(table, rule)}; port {port})", rule.line
                    if result == "fall" and chain.policy == "drop":
                        return (f"chain {chain.name} policy DROP: no rule accepts tcp "
                                f"{'to' if hook == 'output' else 'from'} {WIRESERVER}:{port}"), chain.line
    return None


def _chain_of(table: Table, rule: Rule) -> str:
    return next((c.name for c in table.chains.values() if rule in c.rules), "?")
