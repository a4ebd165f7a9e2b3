"""The WireServer goal state: ``GoalState.<incarnation>.xml`` (agent <= 2.7) or
``history/<timestamp>__<incarnation>/GoalState.xml`` (agent >= 2.8).

Declares ``SPECS`` (goal_state_xml).

Agents from 2.8 on leave a placeholder ``GoalState.1.xml`` holding
``<xml>empty placeholder file</xml>`` in /var/lib/waagent; it is read as
nothing, without a problem. Records: one for the goal state (incarnation,
protocol version, expected machine state) and one per role instance. Fact:
``goal_state_incarnation``.

Sample input::

    <?xml version="1.0" encoding="utf-8"?>
    <GoalState>
      <Version>2012-11-30</Version>
      <Incarnation>7</Incarnation>
      <Machine><ExpectedState>Started</ExpectedState></Machine>
      <Container>
        <ContainerId>5f3a9c1e-0000-4000-8000-00000000a1b2</ContainerId>
        <RoleInstanceList>
          <RoleInstance>
            <InstanceId>5f3a9c1e-0000-4000-8000-00000000a1b2._backup-vm01</InstanceId>
            <State>Started</State>
          </RoleInstance>
        </RoleInstanceList>
      </Container>
    </GoalState>
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers import xml_safe
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("goal_state_xml", r"goalstate(?:\.\d+)?\.xml", os=OS.LINUX),
)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield the goal-state and role-instance records; set ``goal_state_incarnation``.

    >>> ctx = context('GoalState.1.xml')
    >>> list(parse(io.BytesIO(b'<xml>empty placeholder file</xml>'), ctx)), ctx.problems
    ([], [])
    """
    root = xml_safe.load(stream, ctx)
    if root is None or root.tag == "xml":
        return
    if root.tag != "GoalState":
        ctx.problem(f"unexpected root element <{root.tag}> in a goal state document")
        return
    yield _goal_state(root, ctx)
    for instance in root.iterfind("Container/RoleInstanceList/RoleInstance"):
        message = (f"roleInstance {xml_safe.text(instance, 'InstanceId')} "
                   f"state={xml_safe.text(instance, 'State')}")
        yield ctx.record(instance.sourceline or 1, message)


def _goal_state(root, ctx: ParseContext) -> Record:
    node = root.find("Incarnation")
    incarnation = xml_safe.text(root, "Incarnation")
    if node is not None:
        try:
            ctx.fact("goal_state_incarnation", int(incarnation), line=node.sourceline)
        except ValueError:
            ctx.problem(f"goal state Incarnation is not a number: {incarnation[:40]!r}")
    message = (f"goalState incarnation={incarnation} version={xml_safe.text(root, 'Version')} "
               f"expectedState={xml_safe.text(root, 'Machine/ExpectedState')}")
    return ctx.record(root.sourceline or 1, message)

