"""The ``azlog`` command line: analyze, triage, explain, signatures, timeline, batch.

Exit codes: 0 done (whether or not a cause was found), 2 usage error,
3 input unreadable or unknown (one line on stderr), 1 internal error or
failing signature examples.
"""
from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Iterator, Optional, TextIO

import typer

from azlog_vmbackup.core.extras import install_hint

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Tell why an Azure VM backup failed, from the guest log bundle.")
sig_app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="List, inspect and test signatures (built-in plus --signatures).")
app.add_typer(sig_app, name="signatures")

EXIT_INPUT = 3
SignaturesOpt = typer.Option([], "--signatures", help="Extra signature YAML file or folder (repeatable).")
LangOpt = typer.Option("en", "--lang", help="Language of titles and remediation in text and markdown: en or hu.")
OutputOpt = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout.")
LimitOpt = typer.Option([], "--limit", help="Override a limit, NAME=VALUE (repeatable; sizes take K, M, G): member_bytes, "
                        "total_bytes, ratio, members, depth, nested_bytes, line_bytes, records, seconds. "
                        "Also AZLOG_LIMITS=name=value,...")


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Lang(str, Enum):
    en = "en"
    hu = "hu"


@app.callback()
def _root() -> None:
    """Tell why an Azure VM backup failed, from the guest log bundle."""


def fail(message: str, code: int = EXIT_INPUT) -> None:
    typer.echo(f"azlog: {message}", err=True)
    raise typer.Exit(code)


def _knowledge(extra: list[Path]):
    from azlog_vmbackup.analyzer.matching import engines
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError

    try:
        engines.get()  # a bad AZLOG_ENGINE is a usage error, said before any work
    except (ValueError, RuntimeError) as e:
        fail(str(e), 2)
    try:
        return Knowledge.load(extra)
    except KnowledgeError as e:
        fail(f"bad knowledge file: {e}")


def _limits(settings: list[str]):
    from azlog_vmbackup.core.bundle import Limits

    try:
        return Limits.configured(settings, os.environ.get("AZLOG_LIMITS"))
    except ValueError as e:
        fail(str(e), 2)


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        out = open(path, "w", encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {path}: {e.strerror}", 2)
    with out:
        yield out


@app.command()
def analyze(
    bundle: Path = typer.Argument(..., help="Bundle: .zip, .tar, .tar.gz/.tgz, a directory or a single log file."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = OutputOpt,
    signatures: list[Path] = SignaturesOpt,
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Force colours on or off (default: on a terminal)."),
    lang: Lang = LangOpt,
    limit: list[str] = LimitOpt,
) -> None:
    """Diagnose one bundle: ranked causes, error codes, evidence, remediation."""
    from azlog_vmbackup.analyzer.apps.analyze import analyze as run
    from azlog_vmbackup.core.bundle import BundleError

    limits = _limits(limit)
    knowledge = _knowledge(signatures)
    try:
        result = run(bundle, knowledge, limits)
    except BundleError as e:
        fail(str(e))
    _emit(result, knowledge, fmt, output, color, lang.value)


@app.command()
def triage(
    bundles: list[Path] = typer.Argument(None, help="Bundles attached to the ticket (optional)."),
    text_file: Optional[str] = typer.Option(None, "--text-file", help="The ticket's text: a file, or - for stdin."),
    text: Optional[str] = typer.Option(None, "--text", help="The ticket's text, inline."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = OutputOpt,
    signatures: list[Path] = SignaturesOpt,
    lang: Lang = LangOpt,
    limit: list[str] = LimitOpt,
) -> None:
    """Pre-screen a ticket: error codes and messages in its text, the logs of attached bundles, a route."""
    from azlog_vmbackup.core.bundle import BundleError
    from azlog_vmbackup.analyzer.apps.triage import triage as run

    if text_file is None and text is None and not bundles:
        fail("give the ticket text (--text-file FILE|- or --text) and/or bundles", 2)
    body = (text or "") + "\n" + _read_text(text_file) if text_file is not None else (text or "")
    limits = _limits(limit)
    knowledge = _knowledge(signatures)
    try:
        outcome = run(body, list(bundles or []), knowledge, limits)
    except BundleError as e:
        fail(str(e))
    _emit(outcome.result, knowledge, fmt, output, None, lang.value, outcome.as_dict()["triage"])


def _read_text(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        with open(name, "rb") as f:
            data = f.read(4 << 20)
    except OSError as e:
        fail(f"cannot read {name}: {e.strerror}")
    from azlog_vmbackup.core.text import sniff_encoding

    codec, bom = sniff_encoding(data)
    return data[bom:].decode(codec, errors="replace").replace("\x00", "")


@app.command()
def explain(
    name: str = typer.Argument(..., help="An error code (any spelling or case) or a cause id."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    lang: Lang = LangOpt,
) -> None:
    """What an error code or a cause means: messages, causes, evidence to collect, remediation."""
    from azlog_vmbackup.analyzer.apps.explain import explain as run

    code = run(name, fmt.value, lang.value)  # shared with the entry point's quick path
    if code:
        raise typer.Exit(code)


@sig_app.command("list")
def sig_list(signatures: list[Path] = SignaturesOpt,
             fmt: Format = typer.Option(Format.text, "--format", "-f", help="text or json.")) -> None:
    """One line per signature: id, cause, weight, sources, file."""
    import json

    knowledge = _knowledge(signatures)
    rows = [{"id": s.id, "kind": s.kind, "cause": s.cause, "weight": s.weight, "os": s.os,
             "sources": list(s.sources) or ["*"], "file": s.file} for s in knowledge.signatures]
    if fmt is Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['id']:45} {r['cause'] or '(noise)':32} {r['weight']:.2f}  {','.join(r['sources'])}  [{r['file']}]")


@sig_app.command("show")
def sig_show(sig_id: str = typer.Argument(..., help="Signature id."), signatures: list[Path] = SignaturesOpt) -> None:
    """Everything about one signature, its examples included."""
    import yaml

    knowledge = _knowledge(signatures)
    sig = next((s for s in knowledge.signatures if s.id == sig_id), None)
    if sig is None:
        import difflib
        near = difflib.get_close_matches(sig_id, [s.id for s in knowledge.signatures], n=3)
        fail(f"unknown signature {sig_id!r}" + (f"; nearest: {', '.join(near)}" if near else ""))
    doc = {"id": sig.id, "title": sig.title, "kind": sig.kind, "cause": sig.cause or None,
           "error_codes": list(sig.error_codes), "os": sig.os, "sources": list(sig.sources),
           "hints": list(sig.hints), "regex": sig.pattern.pattern if sig.pattern is not None else None,
           "when": list(sig.when) or None, "levels": sorted(sig.levels) or None,
           "repeat": dict(zip(("count", "seconds"), sig.repeat)) if sig.repeat else None, "weight": sig.weight,
           "remediation": list(sig.remediation), "references": list(sig.references), "examples": sig.examples,
           "file": sig.file}
    typer.echo(yaml.safe_dump({k: v for k, v in doc.items() if v not in (None, [], "")}, sort_keys=False,
                              allow_unicode=True, width=120), nl=False)


@sig_app.command("test")
def sig_test(signatures: list[Path] = SignaturesOpt) -> None:
    """Run every signature's match and no_match examples; exit 1 when one misbehaves."""
    from azlog_vmbackup.analyzer.matching.examples import failures

    knowledge = _knowledge(signatures)
    problems = [f for s in knowledge.signatures for f in failures(s, knowledge.signatures)]
    for line in problems:
        typer.echo(f"FAIL {line}")
    typer.echo(f"{len(knowledge.signatures)} signatures, {len(problems)} failing examples")
    if problems:
        raise typer.Exit(1)


@app.command()
def timeline(
    bundle: Path = typer.Argument(..., help="Bundle: .zip, .tar, .tar.gz/.tgz, a directory or a single log file."),
    out: Path = typer.Option(..., "--out", "-o", help="Table to write: FILE.csv, FILE.jsonl or FILE.parquet."),
    signatures: list[Path] = SignaturesOpt,
    limit: list[str] = LimitOpt,
) -> None:
    """Write every record of the bundle as a table (time, source, path, line, level, message, signatures)."""
    from azlog_vmbackup.analyzer.apps import timeline as tl
    from azlog_vmbackup.core.bundle import BundleError

    if out.suffix.lower() not in tl.SUFFIXES:
        fail(f"--out must end with {' or '.join(tl.SUFFIXES)}", 2)
    limits = _limits(limit)
    knowledge = _knowledge(signatures)
    try:
        frame = tl.build(bundle, knowledge, limits)
    except BundleError as e:
        fail(str(e))
    try:
        tl.write(frame, out)
    except OSError as e:
        fail(f"cannot write {out}: {e.strerror}", 2)
    except ImportError:
        fail(f"parquet output needs pyarrow: {install_hint('parquet')}", 2)
    typer.echo(f"{len(frame)} records written to {out}", err=True)


class Engine(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def batch(
    inputs: list[str] = typer.Argument(..., help="Bundles, folders of bundles, or globs (** recursive)."),
    out: Path = typer.Option(..., "--out", "-o", help="Table to write: FILE.csv, FILE.parquet or FILE.jsonl."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count)."),
    resume: bool = typer.Option(False, "--resume", help="Continue OUT: skip bundles whose sha256 is already there."),
    unknown: Optional[Path] = typer.Option(None, "--unknown", help="Write templates of unexplained ERROR/WARNING "
                                           "lines to FILE.csv or FILE.jsonl."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local (processes) or dask (a dask.distributed cluster)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="The dask scheduler, tcp://HOST:PORT."),
    signatures: list[Path] = SignaturesOpt,
    limit: list[str] = LimitOpt,
) -> None:
    """Diagnose many bundles into one table: a row per bundle (cause, codes, confidence, status...)."""
    from azlog_vmbackup.analyzer.apps import batch as bt
    from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError

    limits = _limits(limit)
    try:
        summary = bt.run(inputs, out, jobs=jobs, resume=resume, unknown=unknown, engine=engine.value,
                         scheduler=scheduler, signatures=[str(p) for p in signatures], limits=limits,
                         progress=True, warn=lambda m: typer.echo(f"azlog: {m}", err=True))
    except bt.BatchError as e:
        fail(str(e), 2)
    except KnowledgeError as e:
        fail(f"bad knowledge file: {e}")
    except OSError as e:
        fail(f"cannot write {e.filename or out}: {e.strerror}", 2)
    typer.echo(summary.text(out, unknown), err=True)
    if summary.lost:
        raise typer.Exit(1)


def _emit(result, knowledge, fmt: Format, output: Path | None, color: bool | None, lang: str,
          triage: dict | None = None) -> None:
    from azlog_vmbackup.analyzer.report import json_report, markdown_report, text_report
    from azlog_vmbackup.analyzer.report.i18n import localize

    with _output(output) as out:
        if fmt is Format.json:
            doc = result.as_dict()
            if triage is not None:
                doc["triage"] = triage
            out.write(json_report.dumps(doc))
            return
        result.diagnoses = localize(result.diagnoses, knowledge.causes, lang)
        if fmt is Format.markdown:
            markdown_report.render(result, out, lang, triage)
        else:
            text_report.render(result, out, color=False if output else color, lang=lang, triage=triage)


def run() -> None:
    """Run the typer application on ``sys.argv``: no traceback reaches the user unless AZLOG_DEBUG is set."""
    try:
        app()
    except SystemExit:
        gc.freeze()  # the process ends: its exit need not walk every object the analysis made (~0.2 s)
        raise
    except KeyboardInterrupt:
        typer.echo("azlog: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the last line of defence
        if os.environ.get("AZLOG_DEBUG"):
            raise
        typer.echo(f"azlog: internal error: {type(e).__name__}: {e}", err=True)
        sys.exit(1)
