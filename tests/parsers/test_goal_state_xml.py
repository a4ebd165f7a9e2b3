"""GoalState.N.xml / history GoalState.xml."""
from __future__ import annotations

from azlog_vmbackup.parsers import goal_state_xml
from tests.helpers import run_parser

PATH = "var/lib/waagent/GoalState.7.xml"

SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Version>2012-11-30</Version>
  <Incarnation>7</Incarnation>
  <Machine>
    <ExpectedState>Started</ExpectedState>
  </Machine>
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


def messages(records):
    return [(r.line, r.message) for r in records]


def test_sample_records_and_incarnation():
    records, facts, problems = run_parser(goal_state_xml, SAMPLE, PATH)
    assert problems == []
    assert messages(records) == [
        (2, "goalState incarnation=7 version=2012-11-30 expectedState=Started"),
        (11, "roleInstance 5f3a9c1e-0000-4000-8000-00000000a1b2._backup-vm01 state=Started"),
    ]
    assert all(r.time is None and r.level is None and r.path == PATH for r in records)
    fact = facts.get("goal_state_incarnation")
    assert (fact.value, fact.line, fact.path) == (7, 4, PATH)


def test_placeholder_of_newer_agents_is_silent():
    records, facts, problems = run_parser(goal_state_xml, "<xml>empty placeholder file</xml>",
                                          "var/lib/waagent/GoalState.1.xml")
    assert (records, facts.as_dict(), problems) == ([], {}, [])


def test_missing_parts_read_as_absent():
    records, facts, problems = run_parser(goal_state_xml, "<GoalState><Version>2012-11-30</Version></GoalState>")
    assert messages(records) == [(1, "goalState incarnation=absent version=2012-11-30 expectedState=absent")]
    assert (facts.as_dict(), problems) == ({}, [])


def test_non_numeric_incarnation_is_a_problem():
    records, facts, problems = run_parser(goal_state_xml, "<GoalState><Incarnation>seven</Incarnation></GoalState>")
    assert messages(records) == [(1, "goalState incarnation=seven version=absent expectedState=absent")]
    assert facts.as_dict() == {}
    assert problems == ["goal state Incarnation is not a number: 'seven'"]


def test_other_root_element_is_a_problem():
    records, facts, problems = run_parser(goal_state_xml, "<Versions><Preferred/></Versions>")
    assert (records, facts.as_dict()) == ([], {})
    assert problems == ["unexpected root element <Versions> in a goal state document"]


def test_truncated_document_is_a_problem():
    records, facts, problems = run_parser(goal_state_xml, SAMPLE[:200])
    assert (records, facts.as_dict(), len(problems)) == ([], {}, 1)
    assert problems[0].startswith("malformed XML: ")


def test_reference_history_goal_state(reference):
    path = reference / "linux-agent" / "history_example_goal_state_1" / "GoalState.xml"
    records, facts, problems = run_parser(goal_state_xml, path.read_bytes(), "history/GoalState.xml")
    assert problems == []
    assert messages(records) == [
        (2, "goalState incarnation=1 version=2012-11-30 expectedState=Started"),
        (16, "roleInstance 8cd0ae53-1baa-4f00-9356-a4e1a34f004c._test-vm state=Started"),
    ]
    assert facts.as_dict() == {"goal_state_incarnation": 1}
    assert facts.get("goal_state_incarnation").line == 4


def test_reference_classic_goal_state(reference):
    path = reference / "linux-agent" / "goal_state" / "GoalState_classic.xml"
    records, facts, problems = run_parser(goal_state_xml, path.read_bytes(), PATH)
    assert problems == []
    assert messages(records) == [
        (2, "goalState incarnation=1 version=2010-12-15 expectedState=Started"),
        (14, "roleInstance b61f93d0-e1ed-40b2-b067-22c243233448.MachineRole_IN_0 state=Started"),
    ]
    assert facts.as_dict() == {"goal_state_incarnation": 1}
