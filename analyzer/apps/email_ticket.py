"""A ticket that arrives as e-mail (an RFC 822 ``.eml``), read with the standard library's ``email`` package:
its plain and HTML parts (HTML reduced to text) are the ticket's text, its archives and logs are the bundles,
and logs pasted into the body count as text evidence (triage reads the text for them).

Attachments are bounded like bundles (``Limits.member_bytes`` each, ``Limits.members`` in all) and written
to a private temporary folder that ``ticket()`` removes when its ``with`` block ends; nothing else is written.
A message that cannot be read is an ``EmailError`` (one line).

>>> raw = (b"From: a@example.com\\nSubject: backup fails\\nMIME-Version: 1.0\\n"
...        b"Content-Type: text/plain\\n\\nPortal says UserErrorGuestAgentStatusUnavailable.\\n")
>>> with ticket(raw) as t:
...     t.subject, t.text.strip().splitlines()[-1], t.bundles
('backup fails', 'Portal says UserErrorGuestAgentStatusUnavailable.', [])
"""
from __future__ import annotations

import email
import email.policy
import html
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path, PurePosixPath
from typing import Iterator

from azlog_vmbackup.analyzer.apps.batch.inputs import ARCHIVE_SUFFIXES
from azlog_vmbackup.core.bundle import Limits

MAX_MESSAGE = 256 << 20      # bytes of one .eml read
MAX_TEXT = 4 << 20           # characters of ticket text kept
LOG_SUFFIXES = (".log", ".txt", ".json", ".xml", ".evtx", ".csv", ".status", ".settings", ".conf")
_TAGS = re.compile(r"(?is)<(script|style|head)\b.*?</\1>|<br\s*/?>|</(?:p|div|tr|li|h\d)>|<[^>]+>")


class EmailError(Exception):
    """The message cannot be read as an e-mail (one line)."""


@dataclass
class Ticket:
    subject: str = ""
    sender: str = ""
    text: str = ""
    bundles: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # attachments left out, and why


@contextmanager
def ticket(source: bytes | str | Path, limits: Limits = Limits()) -> Iterator[Ticket]:
    """The ticket in the message ``source`` (its bytes, or a path to a ``.eml``); its attachments exist as files
    until the ``with`` block ends."""
    data = _read(source)
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as e:  # noqa: BLE001 - the email package raises many kinds on broken input
        raise EmailError(f"not a readable e-mail message ({type(e).__name__}: {e})") from None
    if not isinstance(message, EmailMessage) or not message.keys():
        raise EmailError("not an e-mail message (no headers)")
    folder = Path(tempfile.mkdtemp(prefix="azlog-eml-"))
    try:
        yield _ticket(message, folder, limits)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        try:
            with open(source, "rb") as f:
                data = f.read(MAX_MESSAGE + 1)
        except OSError as e:
            raise EmailError(f"cannot read {source}: {e.strerror}") from None
    if len(data) > MAX_MESSAGE:
        raise EmailError(f"the message is larger than {MAX_MESSAGE >> 20} MB")
    if not data.strip():
        raise EmailError("an empty message")
    return data


def _ticket(message: EmailMessage, folder: Path, limits: Limits) -> Ticket:
    found = Ticket(subject=str(message.get("Subject", "") or ""), sender=str(message.get("From", "") or ""))
    texts: list[str] = [found.subject] if found.subject else []
    html_texts: list[str] = []  # used only when the message has no plain text (they say the same)
    count = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        kind = part.get_content_type()
        if name is None and kind in ("text/plain", "text/html") and part.get_content_disposition() != "attachment":
            (texts if kind == "text/plain" else html_texts).append(_text(part))
            continue
        name = safe_name(name or f"part-{count}")
        count += 1
        if count > limits.members:
            found.skipped.append((name, f"more than {limits.members} attachments (members limit)"))
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception as e:  # noqa: BLE001 - a damaged part
            found.skipped.append((name, f"unreadable attachment ({type(e).__name__})"))
            continue
        if len(payload) > limits.member_bytes:
            found.skipped.append((name, f"larger than {limits.member_bytes} bytes (member_bytes limit)"))
            continue
        if kind == "message/rfc822" or not name.lower().endswith(ARCHIVE_SUFFIXES + LOG_SUFFIXES):
            if kind.startswith("text/"):
                texts.append(_decode(payload, part.get_content_charset()))
            else:
                found.skipped.append((name, f"not a bundle or a log ({kind})"))
            continue
        target = folder / f"{count:03d}-{name}"
        target.write_bytes(payload)
        found.bundles.append(target)
    if len(texts) == (1 if found.subject else 0):
        texts += html_texts
    found.text = "\n".join(t for t in texts if t.strip())[:MAX_TEXT]
    return found


def _text(part) -> str:
    payload = part.get_payload(decode=True) or b""
    text = _decode(payload, part.get_content_charset())
    if part.get_content_type() == "text/html":
        text = html.unescape(_TAGS.sub(lambda m: "\n" if not m.group(1) else "", text))
    return text


def _decode(payload: bytes, charset: str | None) -> str:
    try:
        return payload.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def safe_name(name: str) -> str:
    """A name a sender gave (an attachment's, an upload's) as a plain file name: no folders, no dots in front,
    nothing odd.

    >>> safe_name("..\\\\..\\\\C:\\\\logs\\\\vm 1.zip"), safe_name("../.hidden")
    ('vm_1.zip', 'hidden')
    """
    base = PurePosixPath(name.replace("\\", "/")).name.lstrip(".")
    return re.sub(r"[^\w.+-]", "_", base)[:120] or "attachment"


def triage_message(source: bytes | str | Path, knowledge, limits: Limits = Limits(), engine: str | None = None,
                   text: str = "", bundles: list[Path] = (), label: str = "ticket.eml"):
    """``triage()`` of the ticket in the message ``source`` (plus any ``text`` and ``bundles`` given beside it);
    attachments are named ``LABEL/NAME`` in the result, and those left out are listed as skipped."""
    from azlog_vmbackup.analyzer.apps.triage import triage
    from azlog_vmbackup.core.model import InventoryEntry, Status

    with ticket(source, limits) as t:
        outcome = triage("\n".join(x for x in (text, t.text) if x), [*bundles, *t.bundles], knowledge, limits, engine)
        names = {str(path): f"{label}/{path.name.split('-', 1)[1]}" for path in t.bundles}
    result = outcome.result
    for temp, shown in names.items():
        result.source = result.source.replace(temp, shown)
    for name, why in t.skipped:
        result.inventory.append(InventoryEntry(f"{label}/{name}", None, Status.SKIPPED, why))
    return outcome
