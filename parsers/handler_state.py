"""The agent's handler state file: ``<Name>-<ver>/config/HandlerState``.

Declares ``SPECS`` (handler_state).

Plain text holding one word: ``NotInstalled``, ``Installed``, ``Enabled``,
``FailedUpgrade`` or (agents 2.2.x) ``Failed``. For multi-config handlers the
file is ``config/<extension>.HandlerState`` holding ``enabled`` or
``disabled``.

One record ``HandlerState=<value>`` on line 1, component = the handler name
from the folder; level ERROR for ``Failed``/``FailedUpgrade``, WARNING for
``NotInstalled``/``disabled``, INFO otherwise. Fact ``handler_state`` when the
folder is the VMSnapshotLinux handler's.

Sample input::

    Enabled
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import Record
from azlog_vmbackup.core.text import read_text
from azlog_vmbackup.parsers import ext_json
from azlog_vmbackup.parsers.base import EXT_DIR, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("handler_state", EXT_DIR + r"config/(?:[^/]+\.)?handlerstate"),
)

KNOWN = ("NotInstalled", "Installed", "Enabled", "FailedUpgrade", "Failed", "enabled", "disabled")
_LEVELS = {"Failed": "ERROR", "FailedUpgrade": "ERROR", "NotInstalled": "WARNING", "disabled": "WARNING"}
_LIMIT = 4096


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield the ``HandlerState=`` record.

    >>> ctx = context('var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/config/HandlerState')
    >>> [(r.message, r.level) for r in parse(io.BytesIO(b'FailedUpgrade\\n'), ctx)], ctx.facts.value('handler_state')
    ([('HandlerState=FailedUpgrade', 'ERROR')], 'FailedUpgrade')
    """
    try:
        value = read_text(stream, _LIMIT).strip()
    except ValueError as exc:
        ctx.problem(f"not read: {exc}")
        return
    if not value:
        ctx.problem("empty handler state")
        return
    if value not in KNOWN:
        ctx.problem(f"unknown handler state {ext_json.one_line(value)[:80]!r}")
    found = ext_json.extension_dir(ctx.path)
    yield ctx.record(1, f"HandlerState={ext_json.one_line(value)}", level=_LEVELS.get(value, "INFO"),
                     component=found[0] if found else None)
    if ext_json.vmsnapshot_dir(ctx.path):
        ctx.fact("handler_state", value, line=1)
