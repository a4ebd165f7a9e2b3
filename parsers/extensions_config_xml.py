"""The extensions goal state: ``ExtensionsConfig.<incarnation>.xml`` (agent <= 2.7) or
``history/<timestamp>__<incarnation>/ExtensionsConfig.xml`` (agent >= 2.8).

Declares ``SPECS`` (extensions_config_xml).

Only the shape of the goal state is read: which agent version is requested,
which extensions (plugins) are listed with their version and state, which
settings sequence number each one gets, and where the status blob goes.
Settings JSON (public or protected) and SAS query strings are never read
into a record; of a blob URL only the host is kept.

Records (one per element, at its line): ``extensionsConfig
goalStateIncarnation=<n>``, ``gaFamily <name> version=<v>``,
``guestAgentExtension location=<region> serviceName=<s>``,
``statusUploadBlob type=<PageBlob|BlockBlob> host=<host>``,
``plugin <name> version=<v> state=<s> autoUpgrade=<b>``,
``pluginSettings <name> seqNo=<n> version=<v>``,
``inVMArtifactsProfileBlob host=<host>``, ``inVMGoalStateMetaData ...``.
Facts: ``goal_state_incarnation``, ``requested_agent_version`` (GAFamily
Prod), ``vmsnapshot_plugin_state`` and ``vmsnapshot_plugin_version`` (the
backup extension's Plugin).

Sample input::

    <Extensions version="1.0.0.0" goalStateIncarnation="5">
      <GuestAgentExtension>
        <GAFamilies>
          <GAFamily><Name>Prod</Name><Version>2.10.0.8</Version></GAFamily>
        </GAFamilies>
        <Location>northeurope</Location>
      </GuestAgentExtension>
      <StatusUploadBlob statusBlobType="PageBlob">https://md-abc.z9.blob.storage.azure.net/$system/vm01.status?sv=2018-03-28&amp;sr=b&amp;sig=REDACTED</StatusUploadBlob>
      <Plugins>
        <Plugin name="Microsoft.Azure.RecoveryServices.VMSnapshotLinux" version="1.0.9225.0" state="enabled"
                autoUpgrade="true" />
      </Plugins>
      <PluginSettings>
        <Plugin name="Microsoft.Azure.RecoveryServices.VMSnapshotLinux" version="1.0.9225.0">
          <RuntimeSettings seqNo="3">{"runtimeSettings":[...]}</RuntimeSettings>
        </Plugin>
      </PluginSettings>
    </Extensions>
"""
from __future__ import annotations

from typing import BinaryIO, Iterator
from urllib.parse import urlsplit

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers import xml_safe
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("extensions_config_xml", r"extensionsconfig(?:\.\d+)?\.xml", os=OS.LINUX),
)

VMSNAPSHOT_PLUGINS = frozenset(("microsoft.azure.recoveryservices.vmsnapshotlinux",
                                "microsoft.azure.recoveryservices.vmsnapshot"))


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per goal-state element of interest, in document order.

    >>> ctx = context('ExtensionsConfig.2.xml')
    >>> doc = (b'<Extensions goalStateIncarnation="2"><Plugins>'
    ...        b'<Plugin name="A.B" version="1.0" state="enabled" autoUpgrade="false"/></Plugins></Extensions>')
    >>> [r.message for r in parse(io.BytesIO(doc), ctx)]
    ['extensionsConfig goalStateIncarnation=2', 'plugin A.B version=1.0 state=enabled autoUpgrade=false']
    """
    root = xml_safe.load(stream, ctx)
    if root is None:
        return
    if root.tag != "Extensions":
        ctx.problem(f"unexpected root element <{root.tag}> in an ExtensionsConfig document")
        return
    yield _header(root, ctx)
    for child in root:
        reader = _READERS.get(child.tag)
        if reader is not None:
            yield from reader(child, ctx)


def _header(root, ctx: ParseContext) -> Record:
    value = root.get("goalStateIncarnation")
    line = root.sourceline or 1
    if value is not None:
        try:
            ctx.fact("goal_state_incarnation", int(value), line=line)
        except ValueError:
            ctx.problem(f"goalStateIncarnation is not a number: {value[:40]!r}")
    return ctx.record(line, f"extensionsConfig goalStateIncarnation={value or 'absent'}")


def _guest_agent(element, ctx: ParseContext) -> Iterator[Record]:
    for family in element.iterfind("GAFamilies/GAFamily"):
        yield _family(family, ctx)
    fields = [child for child in (element.find("Location"), element.find("ServiceName"))
              if child is not None]
    if fields:
        yield ctx.record(fields[0].sourceline or 1,
                         f"guestAgentExtension location={xml_safe.text(element, 'Location')} "
                         f"serviceName={xml_safe.text(element, 'ServiceName')}")


def _family(family, ctx: ParseContext) -> Record:
    name = xml_safe.text(family, "Name")
    version = xml_safe.text(family, "Version")
    if name.lower() == "prod" and version != "absent":
        ctx.fact("requested_agent_version", version, line=family.find("Version").sourceline)
    parts = [f"gaFamily {name} version={version}"]
    for flag in ("IsVersionFromRSM", "IsVMEnabledForRSMUpgrades"):
        value = xml_safe.text(family, flag, "")
        if value:
            parts.append(f"{flag[0].lower()}{flag[1:]}={value}")
    return ctx.record(family.sourceline or 1, " ".join(parts))


def _status_blob(element, ctx: ParseContext) -> Iterator[Record]:
    kind = element.get("statusBlobType", "absent")
    yield ctx.record(element.sourceline or 1,
                     f"statusUploadBlob type={kind} host={_host(element.text)}")


def _artifacts_blob(element, ctx: ParseContext) -> Iterator[Record]:
    yield ctx.record(element.sourceline or 1, f"inVMArtifactsProfileBlob host={_host(element.text)}")


def _host(url: str | None) -> str:
    """The host part of a blob URL; never its path or query.

    >>> _host(' https://acct.blob.core.windows.net/c/x.status?sig=abc '), _host(None), _host('http://[bad')
    ('acct.blob.core.windows.net', 'absent', 'unknown')
    """
    if not url or not url.strip():
        return "absent"
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return "unknown"
    return host or "unknown"


def _plugins(element, ctx: ParseContext) -> Iterator[Record]:
    for plugin in element.iterfind("Plugin"):
        name = plugin.get("name", "absent")
        version = plugin.get("version", "absent")
        state = plugin.get("state", "absent")
        line = plugin.sourceline or 1
        if name.lower() in VMSNAPSHOT_PLUGINS:
            ctx.fact("vmsnapshot_plugin_state", state, line=line)
            ctx.fact("vmsnapshot_plugin_version", version, line=line)
        yield ctx.record(line, f"plugin {name} version={version} state={state} "
                               f"autoUpgrade={plugin.get('autoUpgrade', 'absent')}")


def _plugin_settings(element, ctx: ParseContext) -> Iterator[Record]:
    for plugin in element.iterfind("Plugin"):
        head = f"pluginSettings {plugin.get('name', 'absent')}"
        version = plugin.get("version", "absent")
        for settings in plugin.iterfind("RuntimeSettings"):
            yield ctx.record(settings.sourceline or 1,
                             f"{head} seqNo={settings.get('seqNo', 'absent')} version={version}")
        for settings in plugin.iterfind("ExtensionRuntimeSettings"):
            yield ctx.record(settings.sourceline or 1,
                             f"{head} seqNo={settings.get('seqNo', 'absent')} version={version} "
                             f"extension={settings.get('name', 'absent')} "
                             f"state={settings.get('state', 'absent')}")


def _metadata(element, ctx: ParseContext) -> Iterator[Record]:
    fields = " ".join(f"{key}={element.get(key)}" for key in ("inSvdSeqNo", "activityId", "correlationId")
                      if element.get(key) is not None)
    yield ctx.record(element.sourceline or 1, f"inVMGoalStateMetaData {fields}".rstrip())


_READERS = {
    "GuestAgentExtension": _guest_agent,
    "StatusUploadBlob": _status_blob,
    "Plugins": _plugins,
    "PluginSettings": _plugin_settings,
    "InVMArtifactsProfileBlob": _artifacts_blob,
    "InVMGoalStateMetaData": _metadata,
}
