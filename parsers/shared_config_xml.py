"""``SharedConfig.xml``: the role instances of the deployment and their private addresses.

Declares ``SPECS`` (shared_config_xml).

Kept in /var/lib/waagent and in each goal-state history folder. Records:
``sharedConfig goalStateIncarnation=<n>`` and one ``instance id=<id>
address=<ip>`` per ``Instances/Instance``. No facts: the instance name is
taken from HostingEnvironmentConfig, the incarnation from the goal state.

Sample input::

    <?xml version="1.0" encoding="utf-8"?>
    <SharedConfig version="1.0.0.0" goalStateIncarnation="2">
      <Incarnation number="2" instance="_backup-vm01" guid="{7a2e9c41-0000-4000-8000-00000000e5f6}" />
      <Instances>
        <Instance id="_backup-vm01" address="10.20.0.5">
          <InputEndpoints />
        </Instance>
      </Instances>
    </SharedConfig>
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers import xml_safe
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("shared_config_xml", r"sharedconfig\.xml", os=OS.LINUX),
)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield the header record and one record per instance.

    >>> ctx = context('SharedConfig.xml')
    >>> doc = (b'<SharedConfig goalStateIncarnation="3">'
    ...        b'<Instances><Instance id="_vm" address="10.0.0.4"/></Instances></SharedConfig>')
    >>> [r.message for r in parse(io.BytesIO(doc), ctx)]
    ['sharedConfig goalStateIncarnation=3', 'instance id=_vm address=10.0.0.4']
    """
    root = xml_safe.load(stream, ctx)
    if root is None:
        return
    if root.tag != "SharedConfig":
        ctx.problem(f"unexpected root element <{root.tag}> in a SharedConfig document")
        return
    yield ctx.record(root.sourceline or 1,
                     f"sharedConfig goalStateIncarnation={root.get('goalStateIncarnation', 'absent')}")
    for instance in root.iterfind("Instances/Instance"):
        yield ctx.record(instance.sourceline or 1, f"instance id={instance.get('id', 'absent')} "
                                                   f"address={instance.get('address', 'absent')}")
