"""What the commands do once their options are read, without typer: the typer application (``commands``) and
the entry point's quick path (``entry``) both run it.

Options become what the analysis takes (``engine``, ``knowledge``, ``limits``), a result becomes its report
(``emit``, to ``output``), and a failure is one line on stderr in azlog's words and an exit code (``fail``).
Nothing here imports typer, click or rich unless it has to print through them (an error, a spinner).
"""
from __future__ import annotations

import gc
import importlib
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, NoReturn, Sequence, TextIO

from azlog_vmbackup.analyzer.report import LEVELS

EXIT_INPUT = 3
EXIT_USAGE = 2
SPINNER_BYTES = 20 << 20  # a bundle larger than this shows a spinner while it is read (stderr on a terminal)
REPORTS = {"json": "json_report", "markdown": "markdown_report", "html": "html_report", "text": "text_report"}


def say(message: str) -> None:
    """``azlog: message`` on stderr, as typer (click) echoes it."""
    from click import echo

    echo(f"azlog: {message}", err=True)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Say ``message`` and end with exit ``code`` (3: the input; 2: usage)."""
    say(message)
    raise SystemExit(code)


def guarded(work: Callable[[], object], at_once: bool = False) -> NoReturn:
    """Run a command as the command line runs every one: a reader that goes away ends azlog quietly, Ctrl-C
    exits 130, and no traceback reaches the user unless AZLOG_DEBUG is set; exits 0 when ``work`` returns.
    ``at_once``: a command that leaves nothing to clean up (no thread, no temporary file, its report file
    closed) ends without the interpreter's own teardown once its output is flushed.

    >>> guarded(lambda: 1 / 0)  # azlog: internal error: ZeroDivisionError: division by zero (on stderr)
    Traceback (most recent call last):
    SystemExit: 1
    """
    try:
        work()
    except SystemExit as e:
        gc.freeze()  # the process ends: its exit need not walk every object the analysis made (~0.2 s)
        if at_once and (e.code is None or isinstance(e.code, int)):
            _end(e.code or 0)
        raise
    except BrokenPipeError:  # `azlog ... | head`: the reader has all it wanted
        from azlog_vmbackup.streams import quiet_exit

        quiet_exit()
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the last line of defence
        if os.environ.get("AZLOG_DEBUG"):
            raise
        say(f"internal error: {type(e).__name__}: {e}")
        sys.exit(1)
    gc.freeze()
    if at_once:
        _end(0)
    sys.exit(0)


def _end(code: int) -> NoReturn:
    """End the process with exit ``code`` once its output is flushed, skipping the interpreter's teardown (it
    would free every module and object one by one: some milliseconds of nothing)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        from azlog_vmbackup.streams import quiet_exit

        quiet_exit()
    os._exit(code)


def invoked(work: Callable[[], object]) -> None:
    """Run a command's work as typer invokes a command: Ctrl-C ends it with exit 130 and no word, a closed pipe
    (other than the report's, which ends azlog quietly) with exit 1.

    >>> def interrupted():
    ...     raise KeyboardInterrupt
    >>> invoked(interrupted)
    Traceback (most recent call last):
    SystemExit: 130
    """
    try:
        work()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except BrokenPipeError:
        from click.utils import PacifyFlushWrapper

        sys.stdout, sys.stderr = PacifyFlushWrapper(sys.stdout), PacifyFlushWrapper(sys.stderr)
        raise SystemExit(1) from None


def engine(name: str | None) -> str:
    """The matching engine to use: ``--engine``, else $AZLOG_ENGINE, else auto; a bad one is a usage error."""
    from azlog_vmbackup.analyzer.matching import engines

    chosen = engines.chosen(name)
    try:
        engines.get(chosen)
    except ValueError:
        source = "--engine" if name else engines.ENV
        fail(f"unknown matching engine {chosen!r} ({source}): choose {', '.join(engines.CHOICES)}", EXIT_USAGE)
    except RuntimeError as e:
        fail(str(e), EXIT_USAGE)
    return chosen


def knowledge(extra: Sequence[Path]):
    """The built-in knowledge plus the user's signature files; a bad file is an input error."""
    from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge

    try:
        return Knowledge.load(extra)
    except KnowledgeError as e:
        fail(f"bad knowledge file: {e}")


def limits(settings: Sequence[str]):
    """The bundle limits: the defaults, then AZLOG_LIMITS, then ``--limit``; a bad one is a usage error."""
    from azlog_vmbackup.core.bundle import Limits

    try:
        return Limits.configured(settings, os.environ.get("AZLOG_LIMITS"))
    except ValueError as e:
        fail(str(e), 2)


@contextmanager
def output(path: Path | None) -> Iterator[TextIO]:
    """Where a report goes: FILE, or stdout (a reader that goes away early, ``| head``, ends azlog quietly)."""
    if path is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            from azlog_vmbackup.streams import quiet_exit

            quiet_exit()
        return
    try:
        out = open(path, "w", encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {path}: {e.strerror}", 2)
    with out:
        yield out


def analyze(bundle: Path, fmt: str = "text", output_path: Path | None = None, fail_level: str | None = None,
            explain: bool = False, signatures: Sequence[Path] = (), color: bool | None = None, lang: str = "en",
            limit: Sequence[str] = (), engine_name: str | None = None) -> None:
    """``azlog analyze``: diagnose one bundle and write its report."""
    gc.disable()  # what loads here (the modules, the knowledge) lives to the end: no collection need walk it
    try:
        from azlog_vmbackup.analyzer.apps.analyze import analyze as run
        from azlog_vmbackup.core.bundle import BundleError

        settings = limits(limit)
        chosen = engine(engine_name)
        known = knowledge(signatures)
    finally:
        gc.freeze()
        gc.enable()
    activity = None
    if fmt == "html":
        from azlog_vmbackup.analyzer.report.picture import Activity

        activity = Activity()
    try:
        with spinner(bundle):
            result = run(bundle, known, settings, on_record=activity, engine=chosen, prepare=lambda: report(fmt))
    except BundleError as e:
        fail(str(e))
    emit(result, known, fmt, output_path, color, lang, activity=activity, explain=explain)
    fail_on(result, fail_level)


def emit(result, knowledge, fmt: str, output_path: Path | None, color: bool | None, lang: str,
         triage: dict | None = None, activity=None, explain: bool = False) -> None:
    """Write ``result`` (and a triage) as the report ``fmt`` asks, to ``output_path`` or stdout."""
    with output(output_path) as out:
        module = report(fmt)
        if fmt == "json":
            out.write(module.dumps(module.document(result, triage)))
            return
        from azlog_vmbackup.analyzer.report.i18n import localize

        result.diagnoses = localize(result.diagnoses, knowledge.causes, lang)
        if fmt == "markdown":
            module.render(result, out, lang, triage)
        elif fmt == "html":
            module.render(result, out, lang, triage, activity)
        else:
            module.render(result, out, color=False if output_path else color, lang=lang, triage=triage,
                          explain=explain)


def report(fmt: str):
    """The module that writes reports of ``fmt`` (``REPORTS``), imported at its first use: once a result is
    made, or while a large log is scanned (``analyze``'s ``prepare``)."""
    return importlib.import_module(f"azlog_vmbackup.analyzer.report.{REPORTS.get(fmt, 'text_report')}")


def fail_on(result, level: str | None) -> None:
    """``--fail-on LEVEL``: exit 1 when a diagnosis at LEVEL or above exists (for scripts)."""
    if level is None:
        return
    wanted = LEVELS[:LEVELS.index(level) + 1]
    if any(d.confidence in wanted for d in result.diagnoses):
        raise SystemExit(1)


@contextmanager
def spinner(bundle: Path) -> Iterator[None]:
    """A spinner on stderr while a large bundle is read, when stderr is a terminal; nothing otherwise."""
    try:
        large = bundle.is_file() and bundle.stat().st_size > SPINNER_BYTES
    except OSError:
        large = False
    if not (large and sys.stderr.isatty()):
        yield
        return
    import threading

    from rich.console import Console

    from azlog_vmbackup.analyzer.matching.scanners import tolerating

    before = set(threading.enumerate())
    with Console(stderr=True).status(f"reading {bundle.name} ({bundle.stat().st_size >> 20} MB)..."):
        with tolerating(set(threading.enumerate()) - before):  # it only draws: large logs still get two cores
            yield
