"""``/etc/waagent.conf``: the Linux guest agent's ``Key=Value`` configuration.

Declares ``SPECS`` (waagent_conf).

Values are read the way the agent reads them: text after ``#`` is a comment,
surrounding quotes and blanks are dropped, ``None`` means unset, and a switch
is on for ``y`` and off for ``n`` (anything else leaves the agent's default).
Records: one per setting line (a line with ``=`` that is not a comment),
the line as written, no level. Facts, only for keys present:
``extensions_enabled`` (Extensions.Enabled), ``auto_update``
(AutoUpdate.UpdateToLatestVersion, else the older AutoUpdate.Enabled),
``provisioning_agent`` (Provisioning.Agent), ``proxy`` (``host:port`` from
HttpProxy.Host and HttpProxy.Port, when a host is set) and
``os_enable_firewall`` (OS.EnableFirewall).

Sample input::

    # Azure Linux agent settings
    Extensions.Enabled=y
    Provisioning.Agent=cloud-init
    AutoUpdate.UpdateToLatestVersion=n
    HttpProxy.Host=proxy.corp.example
    HttpProxy.Port=3128
    OS.EnableFirewall=y
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("waagent_conf", r"etc/waagent\.conf", os=OS.LINUX),
)

_SWITCHES = {"y": True, "n": False}
_SWITCH_FACTS = (("Extensions.Enabled", "extensions_enabled"),
                 ("OS.EnableFirewall", "os_enable_firewall"))
_AUTO_UPDATE_KEYS = ("AutoUpdate.UpdateToLatestVersion", "AutoUpdate.Enabled")


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per setting line; set the agent-configuration facts.

    >>> ctx = context('etc/waagent.conf')
    >>> [(r.line, r.message) for r in parse(io.BytesIO(b'# c\\nExtensions.Enabled=n # off\\n'), ctx)]
    [(2, 'Extensions.Enabled=n # off')]
    >>> ctx.facts.value('extensions_enabled')
    False
    """
    settings: dict[str, tuple[str, int]] = {}
    for number, text in ctx.lines(stream):
        stripped = text.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, value = _setting(stripped)
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = (value, number)
        yield ctx.record(number, text)
    _facts(settings, ctx)


def _setting(line: str) -> tuple[str, str | None]:
    """Split a setting line into key and value as the agent does (None when unset).

    >>> _setting('HttpProxy.Host = "proxy.local" # corporate')
    ('HttpProxy.Host', 'proxy.local')
    >>> _setting('HttpProxy.Port=None')
    ('HttpProxy.Port', None)
    """
    key, _, raw = line.partition("=")
    value = raw.split("#", 1)[0].strip("\" ").strip()
    return key.strip(), (None if value == "None" else value)


def _facts(settings: dict[str, tuple[str, int]], ctx: ParseContext) -> None:
    for key, name in _SWITCH_FACTS:
        _switch(settings, key, name, ctx)
    for key in _AUTO_UPDATE_KEYS:
        if _switch(settings, key, "auto_update", ctx):
            break
    if "Provisioning.Agent" in settings:
        value, line = settings["Provisioning.Agent"]
        ctx.fact("provisioning_agent", value, line=line)
    if "HttpProxy.Host" in settings:
        host, line = settings["HttpProxy.Host"]
        port = settings.get("HttpProxy.Port")
        ctx.fact("proxy", f"{host}:{port[0]}" if port else host, line=line)


def _switch(settings: dict[str, tuple[str, int]], key: str, name: str, ctx: ParseContext) -> bool:
    """Set fact ``name`` from switch ``key`` when it holds y or n; True when set."""
    if key not in settings:
        return False
    value, line = settings[key]
    state = _SWITCHES.get(value.lower())
    if state is None:
        return False
    ctx.fact(name, state, line=line)
    return True
