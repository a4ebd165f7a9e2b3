"""The hardened XML loader: valid documents load, hostile or broken ones never expand or read files."""
from __future__ import annotations

import importlib
import io

import pytest
from lxml import etree

from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import xml_safe
from azlog_vmbackup.parsers.base import ParseContext
from tests.helpers import run_parser

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE GoalState [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<GoalState><Incarnation>&lol9;</Incarnation></GoalState>
"""
SMALL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE GoalState [<!ENTITY inc "7">]>
<GoalState><Incarnation>&inc;</Incarnation></GoalState>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE GoalState [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<GoalState><Incarnation>&xxe;</Incarnation></GoalState>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE GoalState [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>
<GoalState><Incarnation>1</Incarnation></GoalState>
"""

HOSTILE = [BILLION_LAUGHS, SMALL_ENTITY, EXTERNAL_ENTITY, PARAMETER_ENTITY]


def load(data: bytes, limit: int = xml_safe.LIMIT):
    ctx = ParseContext("GoalState.1.xml", Facts(), [])
    return xml_safe.load(io.BytesIO(data), ctx, limit), ctx.problems


def test_valid_document_loads_with_line_numbers():
    root, problems = load(b'<?xml version="1.0" encoding="utf-8"?>\n'
                          b'<GoalState>\n  <Incarnation>3</Incarnation>\n</GoalState>')
    assert problems == []
    assert root.tag == "GoalState"
    assert root.find("Incarnation").sourceline == 3


def test_utf16_document_with_bom_loads():
    text = '<?xml version="1.0" encoding="utf-16"?><GoalState><Incarnation>5</Incarnation></GoalState>'
    root, problems = load(text.encode("utf-16"))
    assert problems == []
    assert xml_safe.text(root, "Incarnation") == "5"


@pytest.mark.parametrize("doc", HOSTILE, ids=["billion-laughs", "internal", "external", "parameter"])
def test_entity_declarations_are_refused(doc):
    root, problems = load(doc)
    assert root is None
    assert len(problems) == 1
    assert "root:" not in problems[0]


def test_internal_entity_refusal_message():
    assert load(SMALL_ENTITY) == (None, ["XML document declares DTD entities; refused without expanding them"])


def test_external_dtd_is_not_read(tmp_path):
    dtd = tmp_path / "broken.dtd"
    dtd.write_text("this is not a DTD <!BOGUS and would fail to parse if it were read\n")
    doc = f'<?xml version="1.0"?>\n<!DOCTYPE GoalState SYSTEM "{dtd.as_uri()}">\n<GoalState/>'.encode()
    root, problems = load(doc)
    assert problems == []
    assert etree.tostring(root) == b"<GoalState/>"


def test_external_dtd_over_network_is_not_fetched():
    doc = b'<!DOCTYPE GoalState PUBLIC "-//x//y" "http://127.0.0.1:9/goalstate.dtd"><GoalState/>'
    root, problems = load(doc)
    assert (root.tag, problems) == ("GoalState", [])


@pytest.mark.parametrize("doc, fragment", [
    (b"", "Document is empty"),
    (b"<GoalState><Incarnation>1</GoalState>", "Opening and ending tag mismatch"),
    (b"<GoalState>&undefined;</GoalState>", "Entity 'undefined' not defined"),
    (b"\x00\x01\x02 not xml", "malformed XML: "),
])
def test_malformed_documents_report_one_problem(doc, fragment):
    root, problems = load(doc)
    assert root is None
    assert len(problems) == 1
    assert problems[0].startswith("malformed XML: ")
    assert fragment in problems[0]
    assert "\n" not in problems[0]


def test_oversized_document_is_not_read():
    assert load(b"<GoalState>" + b" " * 200 + b"</GoalState>", limit=100) == (
        None, ["XML document larger than 100 bytes; not read"])


def test_text_helper_defaults():
    root = etree.fromstring(b"<a><b>  x </b><c>  </c></a>")
    assert [xml_safe.text(root, p) for p in ("b", "c", "d")] == ["x", "absent", "absent"]
    assert xml_safe.text(root, "d", "") == ""


XML_PARSERS = ["goal_state_xml", "extensions_config_xml", "hosting_env_xml", "shared_config_xml",
               "ovf_env_xml"]


@pytest.mark.parametrize("module", XML_PARSERS)
@pytest.mark.parametrize("doc", HOSTILE, ids=["billion-laughs", "internal", "external", "parameter"])
def test_every_xml_parser_refuses_entities(module, doc):
    parser = importlib.import_module(f"azlog_vmbackup.parsers.{module}")
    records, facts, problems = run_parser(parser, doc, "var/lib/waagent/GoalState.1.xml")
    assert records == []
    assert facts.as_dict() == {}
    assert len(problems) == 1
    assert "root:" not in problems[0]


def test_every_reference_xml_file_loads(reference):
    files = sorted((reference / "linux-agent").rglob("*.xml"))
    assert len(files) == 12
    for path in files:
        with open(path, "rb") as stream:
            root, problems = load(stream.read())
        assert root is not None and problems == [], path.name
