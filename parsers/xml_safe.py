"""Load a small XML member (goal state, ExtensionsConfig, ovf-env...) with a hardened lxml parser.

The parser never fetches anything over the network or from disk (every
external DTD or entity request is answered with nothing), never substitutes
entities and refuses huge trees. A document whose DOCTYPE declares entities
(the "billion laughs" bomb, an external entity pointing at a local file) is
refused outright: no real goal-state document carries one. Malformed or
oversized input is reported through ``ctx.problem`` and yields ``None``.
``text`` reads one child's text for the XML parsers.

Sample input::

    <?xml version="1.0" encoding="utf-8"?>
    <GoalState>
      <Version>2012-11-30</Version>
      <Incarnation>4</Incarnation>
    </GoalState>
"""
from __future__ import annotations

from typing import BinaryIO

from lxml import etree

from azlog_vmbackup.parsers.base import ParseContext

LIMIT = 4 << 20


class _Refuse(etree.Resolver):
    """Answers every external DTD or entity request with nothing, so no file is ever opened."""

    def resolve(self, url, pubid, context):
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, dtd_validation=False, remove_comments=True,
                             remove_pis=True)
    parser.resolvers.add(_Refuse())
    return parser


def load(stream: BinaryIO, ctx: ParseContext, limit: int = LIMIT) -> etree._Element | None:
    """Parse the XML in ``stream``; return its root element, or None after reporting why.

    >>> ctx = context('GoalState.4.xml')
    >>> load(io.BytesIO(b'<GoalState><Incarnation>4</Incarnation></GoalState>'), ctx).findtext('Incarnation')
    '4'
    >>> load(io.BytesIO(b'<GoalState><Incarnation>'), ctx) is None, len(ctx.problems)
    (True, 1)
    """
    data = stream.read(limit + 1)
    if len(data) > limit:
        ctx.problem(f"XML document larger than {limit} bytes; not read")
        return None
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as e:
        ctx.problem(f"malformed XML: {_first_line(e)}")
        return None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        ctx.problem("XML document declares DTD entities; refused without expanding them")
        return None
    return root


def text(element: etree._Element, path: str, default: str = "absent") -> str:
    """The stripped text at ``path`` under ``element``, or ``default`` when missing or empty.

    >>> root = etree.fromstring(b'<a><b> 7 </b><c/></a>')
    >>> text(root, 'b'), text(root, 'c'), text(root, 'd', '')
    ('7', 'absent', '')
    """
    value = element.findtext(path)
    value = value.strip() if value else ""
    return value or default


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
