"""Windows event logs exported as text, tables or XML, in any display language.

Declares ``SPECS`` (windows_event_export) and ``SNIFF_ORDER`` for ``sniff``.

Four shapes are read, one record per event:

* labelled text: ``wevtutil qe <log> /f:text`` (blocks opened by ``Event[N]:``,
  the word localized too: ``Ereignis[N]:``...)
  and Event Viewer's "Copy details as text" (blocks opened by the log-name
  label). Labels are localized (``Event ID`` / ``Ereignis-ID`` /
  ``ID de l'événement`` / ``Id. del evento`` / ``ID evento`` /
  ``ID do evento`` / ``Gebeurtenis-id`` / ``Eseményazonosító``...); every line
  after the description label is the event text, up to the next event or an
  ``Event Xml:`` section;
* ``Get-WinEvent`` / ``Get-EventLog`` piped to ``Format-List``
  (``TimeCreated  : ...``, ``ProviderName : ...``, ``Message : ...``, the
  message's further lines indented);
* tables: ``Export-Csv`` of those cmdlets (``#TYPE`` line optional, any
  delimiter of ``,`` ``;`` tab) and Event Viewer's "Save as" CSV or
  tab-delimited text (Level, Date and Time, Source, Event ID, Task Category,
  then the message), headers localized;
* XML: ``wevtutil qe /f:xml`` or Event Viewer "Save as XML": ``<Event>``
  elements, with or without an ``<Events>`` root; each element is parsed on
  its own with the hardened parser of ``parsers.xml_safe``.

Every record has the shape shared with the .evtx reader: time (UTC), level,
component = provider, and one line of message
``EventID=<id> Provider=<name> Level=<Error|...> Channel=<log> | <text>``
where the event text's lines are joined with `` | ``. XML events add their
EventData values (and a binary payload that is UTF-16 text, such as the
service key name of Service Control Manager events) when the rendered text
does not already hold them. Dates written without a zone (every text and
table export, wevtutil's zone-less ISO form) keep the clock value and set
``local_time``; ``M/D/YYYY h:mm:ss AM/PM`` is read month first, other
slash, dot and dash dates day first, unless the numbers rule that out.

Sample input::

    Event[0]:
      Log Name: System
      Source: Service Control Manager
      Date: 2024-05-14T02:05:02.4170000Z
      Event ID: 7031
      Task: N/A
      Level: Error
      Opcode: N/A
      Keyword: Classic
      User: N/A
      User Name: N/A
      Computer: backup-vm01
      Description:
    The Windows Azure Guest Agent service terminated unexpectedly.  It has done this 1 time(s).
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO, Iterable, Iterator

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Facts, Record
from azlog_vmbackup.core.text import micros, sniff_encoding, utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("windows_event_export", r"(?:eventlogs?|winevt)/[^/]+\.(?:txt|csv|xml)", os=OS.WINDOWS),
)
SNIFF_ORDER = 10
SNIFF_HINT = (r"schemas\.microsoft\.com/win/2004/08/events/event|#TYPE|[,;\t]|\[\d+\]:"  # xml, csv, text
              r"|TimeCreated|ProviderName|TimeGenerated|LevelDisplayName|EntryType|InstanceId|RecordId")  # list

HEAD = 64 * 1024
MAX_TEXT = 16 * 1024
MAX_EVENT_XML = 1 << 20
MAX_BINARY_HEX = 1024
XML_PROBLEMS = 5
MAX_LABEL = 48

_LEVEL_WORDS = {
    "Critical": ("critical", "kritisch", "critique", "crítico", "critico", "kritiek", "kritikus"),
    "Error": ("error", "fehler", "erreur", "errore", "erro", "fout", "hiba"),
    "Warning": ("warning", "warnung", "avertissement", "advertencia", "avviso", "aviso",
                "waarschuwing", "figyelmeztetés"),
    "Information": ("information", "informationen", "informations", "información", "informazioni",
                    "informações", "informação", "informatie", "információ"),
    "Verbose": ("verbose", "ausführlich", "commentaires", "détaillé", "detallado", "detalle",
                "dettagliato", "dettagli", "detalhado", "detalhes", "uitgebreid", "részletes"),
}
_LEVEL_OF_WORD = {w: name for name, words in _LEVEL_WORDS.items() for w in words}
_LEVEL_OF_NUMBER = {"0": "Information", "1": "Critical", "2": "Error", "3": "Warning",
                    "4": "Information", "5": "Verbose"}
_RECORD_LEVEL = {"Critical": "ERROR", "Error": "ERROR", "Warning": "WARNING",
                 "Information": "INFO", "Verbose": "VERBOSE"}

_TEXT_LABELS = {
    "log": ("log name", "protokollname", "nom du journal", "nombre de registro", "nome registro",
            "nome do log", "nome do registo", "logboeknaam", "napló neve"),
    "source": ("source", "quelle", "origen", "origine", "fonte", "origem", "bron", "forrás"),
    "date": ("date", "datum", "fecha", "data", "dátum", "date and time", "datum und uhrzeit",
             "date et heure", "fecha y hora", "data e ora", "data e hora", "datum en tijd",
             "dátum és idő"),
    "id": ("event id", "ereignis-id", "id de l'événement", "id de l'évènement", "id d'événement",
           "id. del evento", "id. de evento", "id del evento", "id de evento", "id evento",
           "id do evento", "identificação do evento", "gebeurtenis-id", "eseményazonosító"),
    "level": ("level", "ebene", "niveau", "nivel", "livello", "nível", "szint"),
    "description": ("description", "beschreibung", "descripción", "descrizione", "descrição",
                    "beschrijving", "leírás"),
    "xml": ("event xml", "ereignis-xml", "xml de l'événement", "xml del evento", "xml de evento",
            "xml evento", "xml do evento", "gebeurtenis-xml", "esemény xml"),
    "other": ("task", "task category", "opcode", "keyword", "keywords", "user", "user name",
              "computer", "aufgabe", "aufgabenkategorie", "taskkategorie", "schlüsselwort",
              "schlüsselwörter", "benutzer", "benutzername", "tâche", "catégorie de la tâche",
              "catégorie de tâche", "code opération", "mot-clé", "mots clés", "mots-clés",
              "utilisateur", "nom d'utilisateur", "ordinateur", "tarea", "categoría de la tarea",
              "categoría de tarea", "código de operación", "palabra clave", "palabras clave",
              "usuario", "nombre de usuario", "equipo", "attività", "categoria attività",
              "codice operativo", "parola chiave", "parole chiave", "utente", "nome utente",
              "tarefa", "categoria da tarefa", "código de operação", "palavra-chave",
              "palavras-chave", "usuário", "utilizador", "nome de usuário", "nome do utilizador",
              "computador", "taak", "taakcategorie", "trefwoord", "trefwoorden", "gebruiker",
              "gebruikersnaam", "feladat", "feladatkategória", "feladat kategóriája",
              "műveletkód", "kulcsszó", "kulcsszavak", "felhasználó", "felhasználónév",
              "számítógép"),
}
_TEXT_LABEL_OF = {label: key for key, labels in _TEXT_LABELS.items() for label in labels}

# Property names of EventLogRecord (Get-WinEvent) and EventLogEntry (Get-EventLog): never localized.
_PROPERTY_OF = {
    "Id": "id", "EventID": "id", "ProviderName": "source", "Source": "source",
    "TimeCreated": "date", "TimeGenerated": "date", "LevelDisplayName": "level",
    "EntryType": "level", "Level": "level_number", "LogName": "log", "Message": "description",
    **{name: "other" for name in (
        "Version", "Qualifiers", "Task", "Opcode", "Keywords", "RecordId", "ProviderId",
        "ProcessId", "ThreadId", "MachineName", "UserId", "ActivityId", "RelatedActivityId",
        "ContainerLog", "MatchedQueryIds", "Bookmark", "OpcodeDisplayName", "TaskDisplayName",
        "KeywordsDisplayNames", "Properties", "Data", "Index", "Category", "CategoryNumber",
        "ReplacementStrings", "InstanceId", "TimeWritten", "UserName", "Site", "Container")},
}
_LIST_ONLY = frozenset(("TimeCreated", "ProviderName", "TimeGenerated", "LevelDisplayName",
                        "EntryType", "InstanceId", "RecordId"))

_EVENT_HEAD = Lazy(r"^\s*\p{L}[\p{L}\- ]{0,29}\[\d+\]:\s*$")  # Event[0]: / Ereignis[0]: ...
_LIST_LABEL = Lazy(r"^(?P<key>[A-Za-z]+) *: ?(?P<value>.*)$")
_XML_EVENT = Lazy(r"<Event[\s>]")
_EVENTS_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
_TIME = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:[.,](?P<f>\d+))?"
_AMPM = r"(?:\s*(?P<ampm>[AaPp])\.?[Mm]\.?)?"
_ZONE = r"\s*(?P<z>Z|[+-]\d{2}:?\d{2})?\s*$"
_YEAR_FIRST = Lazy(
    r"^\s*(?P<y>\d{4})[-./]\s?(?P<mo>\d{1,2})[-./]\s?(?P<d>\d{1,2})\.?(?:T|\s+)" + _TIME + _AMPM + _ZONE)
_YEAR_LAST = Lazy(
    r"^\s*(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})\.?(?:T|\s+)" + _TIME + _AMPM + _ZONE)
_PRINTABLE = Lazy(r"^[\x20-\x7e]{2,}$")


@dataclass
class _Event:
    """An event being gathered: where it starts, its labelled fields and its text lines."""

    line: int
    fields: dict[str, str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)
    size: int = 0

    def add_text(self, text: str) -> None:
        if self.size < MAX_TEXT:
            self.text.append(text)
            self.size += len(text) + 1


def sniff(head: str) -> bool:
    """True when ``head`` looks like an exported Windows event log.

    >>> sniff('Event[0]:\\n  Log Name: System\\n  Source: VSS\\n')
    True
    >>> sniff('2024-05-14T02:05:02.123Z INFO ExtHandler Agent started\\n')
    False
    """
    return _kind(head) is not None


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one normalised record per exported event.

    >>> ctx = context('System.txt')
    >>> data = ('Event[0]:\\n  Source: VSS\\n  Event ID: 8193\\n  Level: Error\\n'
    ...         '  Description:\\nVolume Shadow Copy error.\\n')
    >>> [(r.line, r.message, r.level) for r in parse(io.BytesIO(data.encode()), ctx)]
    [(1, 'EventID=8193 Provider=VSS Level=Error | Volume Shadow Copy error.', 'ERROR')]
    """
    head = stream.read(HEAD)
    codec, bom = sniff_encoding(head)
    text = head[bom:].decode(codec, errors="replace")
    kind = _kind(text)
    whole = _Replay(head, stream)
    if kind is None:
        ctx.problem("no exported Windows events recognised")
    elif kind == "xml":
        if "<!DOCTYPE" in text:
            ctx.problem("event XML declares a DTD; its entities are not expanded")
        yield from _xml_records(_decoded_chunks(whole), ctx)
    elif kind == "csv":
        yield from _table_records(ctx.lines(whole), _delimiter(text), ctx)
    else:
        blocks = _list_blocks if kind == "list" else _text_blocks
        for event in blocks(ctx.lines(whole)):
            record = _record(ctx, event.line, event.fields, event.text)
            if record is not None:
                yield record


class _Replay(io.RawIOBase):
    """The already-read head, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data, self.head = self.head, b""
            return data
        return self.rest.read(size)


def _kind(head: str) -> str | None:
    body = head.lstrip("\ufeff \t\r\n")
    if body.startswith("<") and _XML_EVENT.search(head) and _EVENTS_NS in head:
        return "xml"
    lines = head.lstrip("\ufeff").splitlines()[:80]
    first = next((line for line in lines if line.strip()), "")
    if first.startswith("#TYPE") or _table_columns(_cells(first, _delimiter(first))):
        return "csv"
    if sum(1 for line in lines if (m := _LIST_LABEL.match(line)) and m["key"] in _LIST_ONLY) >= 2:
        return "list"
    if any(_EVENT_HEAD.match(line) for line in lines):
        return "text"
    keys = {key for line in lines if (key := _text_key(line)[0]) not in (None, "other", "xml")}
    return "text" if "id" in keys and len(keys) >= 3 else None


def _norm(label: str) -> str:
    return " ".join(label.replace("\u2019", "'").split()).casefold()


def _text_key(line: str) -> tuple[str | None, str]:
    """The field a ``Label: value`` line names (None when not a known label) and its value."""
    label, colon, value = line.partition(":")
    if not colon or len(label) > MAX_LABEL:
        return None, ""
    return _TEXT_LABEL_OF.get(_norm(label)), value.strip()


def _text_blocks(lines: Iterable[tuple[int, str]]) -> Iterator[_Event]:
    """wevtutil /f:text and Event Viewer text: labelled header, then the event text."""
    event: _Event | None = None
    bracketed = False
    state = "header"
    for number, text in lines:
        if _EVENT_HEAD.match(text):
            if event is not None:
                yield event
            event, bracketed, state = _Event(number), True, "header"
            continue
        key, value = _text_key(text)
        if key == "log" and not bracketed and event is not None and (
                state != "header" or "log" in event.fields):
            yield event
            event, state = None, "header"
        if state == "text" and event is not None:
            if key == "xml" or text.lstrip().startswith("<Event "):
                state = "closed"
            else:
                event.add_text(text)
            continue
        if state == "closed" or key in (None, "xml"):
            continue
        if event is None or (not bracketed and key in event.fields):
            if event is not None:
                yield event
            event = _Event(number)
        if key == "description":
            state = "text"
            if value:
                event.add_text(value)
        elif key != "other":
            event.fields.setdefault(key, value)
    if event is not None:
        yield event


def _list_blocks(lines: Iterable[tuple[int, str]]) -> Iterator[_Event]:
    """Format-List output: ``Property : value`` at column 0, a repeated property opens the next event."""
    event: _Event | None = None
    current = None
    seen: set[str] = set()
    for number, text in lines:
        m = _LIST_LABEL.match(text)
        key = _PROPERTY_OF.get(m["key"]) if m else None
        if key is None:
            if event is not None and current == "description":
                event.add_text(text)
            continue
        if event is None or m["key"] in seen:
            if event is not None:
                yield event
            event, seen = _Event(number), set()
        seen.add(m["key"])
        current = key
        if key == "description":
            event.add_text(m["value"])
        elif key != "other":
            event.fields.setdefault(key, m["value"].strip())
    if event is not None:
        yield event


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip() and not line.startswith("#TYPE")), "")
    return max((",", ";", "\t"), key=header.count)


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []


def _table_columns(cells: list[str]) -> dict[str, int]:
    """Which column holds which field; empty when the header is not an event table."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _PROPERTY_OF.get(cell.strip()) or _TEXT_LABEL_OF.get(_norm(cell))
        if key and key not in ("other", "xml"):
            columns.setdefault(key, index)
    has_time_or_level = {"date", "level", "level_number"} & columns.keys()
    if "id" in columns and "source" in columns and has_time_or_level:
        columns["width"] = len(cells)
        return columns
    return {}


def _table_records(lines: Iterable[tuple[int, str]], delimiter: str,
                   ctx: ParseContext) -> Iterator[Record]:
    """Export-Csv and Event Viewer CSV / tab-delimited rows, one event per row."""
    reader = csv.reader((text + "\n" for _, text in lines), delimiter=delimiter)
    columns: dict[str, int] = {}
    consumed = 0
    try:
        for row in reader:
            first, consumed = consumed + 1, reader.line_num
            if not row or (not columns and row[0].startswith("#TYPE")):
                continue
            if not columns:
                columns = _table_columns(row)
                if not columns:
                    ctx.problem("table header names no event columns (event id, source, date or level)")
                    return
                continue
            fields = {key: row[i] for key, i in columns.items() if key != "width" and i < len(row)}
            text = fields.pop("description", None)
            if text is None:
                text = delimiter.join(row[columns["width"]:])
            record = _record(ctx, first, fields, text.splitlines())
            if record is not None:
                yield record
    except csv.Error as e:
        ctx.problem(f"malformed table at line {consumed + 1}: {e}")


def _decoded_chunks(stream: BinaryIO) -> Iterator[str]:
    data = stream.read(HEAD)
    codec, bom = sniff_encoding(data)
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    data = data[bom:]
    while data:
        yield decoder.decode(data).replace("\x00", "")
        data = stream.read(1 << 20)
    yield decoder.decode(b"", True)


def _xml_segments(chunks: Iterable[str], ctx: ParseContext) -> Iterator[tuple[int, str]]:
    """Cut ``<Event ...>...</Event>`` elements out of the text, with the line each starts on."""
    buf, line = "", 1
    for chunk in chunks:
        buf += chunk
        while True:
            start = _XML_EVENT.search(buf)
            if start is None:
                keep = len(buf) - 8 if len(buf) > 8 else 0
                line += buf.count("\n", 0, keep)
                buf = buf[keep:]
                break
            line += buf.count("\n", 0, start.start())
            buf = buf[start.start():]
            end = buf.find("</Event>")
            if end < 0:
                if len(buf) > MAX_EVENT_XML:
                    ctx.problem(f"event element at line {line} longer than {MAX_EVENT_XML} characters; skipped")
                    line += buf.count("\n")
                    buf = ""
                break
            segment, buf = buf[:end + 8], buf[end + 8:]
            yield line, segment
            line += segment.count("\n")


def _xml_records(chunks: Iterable[str], ctx: ParseContext) -> Iterator[Record]:
    from azlog_vmbackup.parsers import xml_safe  # lxml: imported when an export in XML is read, not to sniff one

    bad: list[str] = []
    for line, segment in _xml_segments(chunks, ctx):
        local = ParseContext(ctx.path, Facts(), [])
        element = xml_safe.load(io.BytesIO(segment.encode("utf-8")), local, MAX_EVENT_XML * 4)
        if element is None:
            bad.extend(f"event at line {line}: {p}" for p in local.problems)
            continue
        record = _xml_record(ctx, line, element)
        if record is not None:
            yield record
    for problem in bad[:XML_PROBLEMS]:
        ctx.problem(problem)
    if len(bad) > XML_PROBLEMS:
        ctx.problem(f"{len(bad) - XML_PROBLEMS} more malformed event elements")


def _xml_record(ctx: ParseContext, line: int, event) -> Record | None:
    system = event.find("{*}System")
    if system is None:
        return None
    provider = system.find("{*}Provider")
    created = system.find("{*}TimeCreated")
    fields = {
        "id": system.findtext("{*}EventID") or "",
        "source": "" if provider is None else provider.get("Name") or provider.get("EventSourceName") or "",
        "level_number": system.findtext("{*}Level") or "",
        "level": event.findtext("{*}RenderingInfo/{*}Level") or "",
        "date": "" if created is None else created.get("SystemTime") or "",
        "log": system.findtext("{*}Channel") or "",
    }
    rendered = event.findtext("{*}RenderingInfo/{*}Message") or ""
    lines = rendered.splitlines()
    lines += [v for v in _data_values(event) if v not in rendered]
    return _record(ctx, line, fields, lines)


def _data_values(event) -> list[str]:
    values = []
    for data in event.iterfind("{*}EventData/{*}Data"):
        if data.text and data.text.strip():
            values.append(data.text.strip())
    for leaf in event.iterfind("{*}UserData//*"):
        if len(leaf) == 0 and leaf.text and leaf.text.strip():
            values.append(leaf.text.strip())
    binary = _binary_text(event.findtext("{*}EventData/{*}Binary") or "")
    if binary:
        values.append(binary)
    return values


def _binary_text(hexdata: str) -> str | None:
    """A binary payload that is UTF-16 text (SCM puts the service key name there), else None.

    >>> _binary_text('5600530053000000')
    'VSS'
    >>> _binary_text('0100000002000000') is None
    True
    """
    hexdata = hexdata.strip()
    if not hexdata or len(hexdata) > MAX_BINARY_HEX or len(hexdata) % 4:
        return None
    try:
        text = bytes.fromhex(hexdata).decode("utf-16-le").rstrip("\x00")
    except ValueError:
        return None
    return text if _PRINTABLE.match(text) else None


def _record(ctx: ParseContext, line: int, fields: dict[str, str], text: list[str]) -> Record | None:
    event_id = fields.get("id", "").strip()
    provider = fields.get("source", "").strip()
    if not event_id and not provider:
        return None
    level = _level_name(fields.get("level", ""), fields.get("level_number", ""))
    head = f"EventID={event_id} Provider={provider}"
    if level:
        head += f" Level={level}"
    if channel := fields.get("log", "").strip():
        head += f" Channel={channel}"
    body = " | ".join(s for t in text if (s := t.strip()))
    message = redact_sas(f"{head} | {body}" if body else head)
    time, local = _date(fields.get("date", ""))
    return ctx.record(line, message, time=time, level=_RECORD_LEVEL.get(level or ""),
                      component=provider or None, local_time=local)


def _level_name(*candidates: str) -> str | None:
    """The English level name from a localized word or a level number.

    >>> _level_name('Figyelmeztetés', ''), _level_name('', '2'), _level_name('', '')
    ('Warning', 'Error', None)
    """
    for value in candidates:
        value = value.strip()
        name = _LEVEL_OF_WORD.get(value.casefold()) or _LEVEL_OF_NUMBER.get(value)
        if name:
            return name
    return next((v.strip() for v in candidates if v.strip()), None)


def _date(value: str):
    """(UTC time, local_time) from the date forms the exports write; (None, False) when unreadable.

    >>> _date('2024-05-14T02:05:02.4170000Z')
    (datetime.datetime(2024, 5, 14, 2, 5, 2, 417000, tzinfo=datetime.timezone.utc), False)
    >>> _date('5/14/2024 2:05:02 PM')[0].isoformat(), _date('14.05.2024 02:05:02')[1]
    ('2024-05-14T14:05:02+00:00', True)
    """
    m = _YEAR_FIRST.match(value)
    if m:
        year, month, day = int(m["y"]), int(m["mo"]), int(m["d"])
    elif m := _YEAR_LAST.match(value):
        year, month, day = int(m["y"]), *_day_month(int(m["a"]), int(m["b"]), bool(m["ampm"]))
    else:
        return None, False
    hour = _hour(int(m["h"]), m["ampm"])
    time = utc(year, month, day, hour, int(m["mi"]), int(m["s"] or 0), micros(m["f"]))
    if time is None or not m["z"] or m["z"] == "Z":
        return time, time is not None and not m["z"]
    zone = m["z"].replace(":", "")
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    return (time - offset if zone[0] == "+" else time + offset), False


def _day_month(a: int, b: int, month_first: bool) -> tuple[int, int]:
    """(month, day): month first for AM/PM clocks, else day first, unless the numbers forbid it."""
    if month_first:
        return (b, a) if a > 12 else (a, b)
    return (a, b) if b > 12 else (b, a)


def _hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    if ampm in "Aa":
        return 0 if hour == 12 else hour
    return hour if hour == 12 else hour + 12
