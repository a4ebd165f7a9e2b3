"""``HostingEnvironmentConfig.xml``: the fabric's view of the VM (name, deployment, role).

Declares ``SPECS`` (hosting_env_xml).

Records: ``incarnation number=<n> instance=<instance>``, ``deployment
name=<n> incarnation=<i>`` and ``role name=<n>``, each at its element's line.
Stored certificates are not read. Fact ``hostname`` comes from
``Incarnation@instance``; Azure Resource Manager VMs write it as ``_`` plus
the VM name, so one leading underscore is dropped (VM names cannot start
with one).

Sample input::

    <?xml version="1.0" encoding="utf-8"?>
    <HostingEnvironmentConfig version="1.0.0.0" goalStateIncarnation="2">
      <Deployment name="9e1f0c7d2b5a4c4f" guid="{1b7c3d5e-0000-4000-8000-00000000c3d4}" incarnation="0" />
      <Incarnation number="2" instance="_backup-vm01" guid="{7a2e9c41-0000-4000-8000-00000000e5f6}" />
      <Role guid="{3c4d5e6f-0000-4000-8000-0000000a7b8c}" name="_backup-vm01" />
    </HostingEnvironmentConfig>
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers import xml_safe
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("hosting_env_xml", r"hostingenvironmentconfig\.xml", os=OS.LINUX),
)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield the incarnation, deployment and role records; set ``hostname``.

    >>> ctx = context('HostingEnvironmentConfig.xml')
    >>> doc = b'<HostingEnvironmentConfig><Incarnation number="1" instance="_vm7"/></HostingEnvironmentConfig>'
    >>> [r.message for r in parse(io.BytesIO(doc), ctx)], ctx.facts.value('hostname')
    (['incarnation number=1 instance=_vm7'], 'vm7')
    """
    root = xml_safe.load(stream, ctx)
    if root is None:
        return
    if root.tag != "HostingEnvironmentConfig":
        ctx.problem(f"unexpected root element <{root.tag}> in a HostingEnvironmentConfig document")
        return
    for child in root:
        if child.tag == "Incarnation":
            yield _incarnation(child, ctx)
        elif child.tag == "Deployment":
            yield ctx.record(child.sourceline or 1, f"deployment name={child.get('name', 'absent')} "
                                                    f"incarnation={child.get('incarnation', 'absent')}")
        elif child.tag == "Role":
            yield ctx.record(child.sourceline or 1, f"role name={child.get('name', 'absent')}")


def _incarnation(element, ctx: ParseContext) -> Record:
    instance = (element.get("instance") or "").strip()
    line = element.sourceline or 1
    name = instance[1:] if instance.startswith("_") else instance
    if name:
        ctx.fact("hostname", name, line=line)
    return ctx.record(line, f"incarnation number={element.get('number', 'absent')} "
                            f"instance={instance or 'absent'}")
