"""The ``azlog`` command line: analyze, triage, explain, signatures, timeline, batch.

Exit codes: 0 done (whether or not a cause was found), 2 usage error,
3 input unreadable or unknown (one line on stderr), 1 internal error or
failing signature examples.
"""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from azlog_vmbackup import actions
from azlog_vmbackup.actions import EXIT_INPUT, EXIT_USAGE, fail
from azlog_vmbackup.analyzer.matching.engines import CHOICES as ENGINES
from azlog_vmbackup.analyzer.report import FORMATS, LANGS, LEVELS, REPORT_FORMATS
from azlog_vmbackup.core.extras import install_hint

_SETTINGS = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings=_SETTINGS,
                  help="Tell why an Azure VM backup failed, from the guest log bundle.")
sig_app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings=_SETTINGS,
                      help="List, inspect and test signatures (built-in plus --signatures).")
app.add_typer(sig_app, name="signatures")


def _one_of(option: str, choices: tuple[str, ...]):
    """A callback refusing any value of ``option`` but ``choices``, in azlog's words (exit 2)."""
    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            fail(f"unknown {option} {value!r}: choose {', '.join(choices[:-1])} or {choices[-1]}", EXIT_USAGE)
        return value
    return check


def _format_opt(choices: tuple[str, ...] = FORMATS):
    return typer.Option("text", "--format", "-f", metavar="|".join(choices), callback=_one_of("--format", choices),
                        help="Output format.")


BundleArg = typer.Argument(..., metavar="BUNDLE", show_default=False,
                           help="Bundle: .zip, .tar, .tar.gz/.tgz, a directory or a single log file.")
SignaturesOpt = typer.Option([], "--signatures", metavar="PATH", show_default=False,
                             help="Extra signature YAML file or folder (repeatable).")
LangOpt = typer.Option("en", "--lang", metavar="|".join(LANGS), callback=_one_of("--lang", LANGS),
                       help="Language of titles and remediation in text and markdown.")
OutputOpt = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
FailOnOpt = typer.Option(None, "--fail-on", metavar="|".join(LEVELS), callback=_one_of("--fail-on", LEVELS),
                         help="Exit 1 when a diagnosis at this confidence or above exists (for scripts).")
OSES = ("linux", "windows")
LimitOpt = typer.Option([], "--limit", metavar="NAME=VALUE", show_default=False,
                        help="Override a limit (repeatable; sizes take K, M, G): member_bytes, "
                        "total_bytes, ratio, members, depth, nested_bytes, line_bytes, records, seconds. "
                        "Also AZLOG_LIMITS=name=value,...")
EngineOpt = typer.Option(None, "--engine", metavar="|".join(ENGINES), show_default=False,
                         help="Matching engine (default: $AZLOG_ENGINE, else auto: hyperscan when installed).")


def _version(value: bool) -> None:
    if value:
        from azlog_vmbackup import __version__

        typer.echo(f"azlog {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Tell why an Azure VM backup failed, from the guest log bundle."""


@app.command()
def analyze(
    bundle: Path = BundleArg,
    fmt: str = _format_opt(REPORT_FORMATS),
    output: Optional[Path] = OutputOpt,
    fail_on: Optional[str] = FailOnOpt,
    explain: bool = typer.Option(False, "--explain", help="Say how each candidate's score came about, and which "
                                 "signatures almost fired (text; JSON always carries it)."),
    signatures: list[Path] = SignaturesOpt,
    color: Optional[bool] = typer.Option(None, "--color/--no-color", show_default=False,
                                         help="Force colours on or off (default: on a terminal)."),
    lang: str = LangOpt,
    limit: list[str] = LimitOpt,
    engine: Optional[str] = EngineOpt,
) -> None:
    """Diagnose one bundle: ranked causes, error codes, evidence, remediation."""
    actions.analyze(bundle, fmt, output, fail_on, explain, signatures, color, lang, limit, engine)


@app.command()
def triage(
    bundles: list[Path] = typer.Argument(None, metavar="[BUNDLE|MESSAGE.eml]...", show_default=False,
                                         help="Bundles attached to the ticket, or the ticket as an e-mail (.eml: its "
                                              "text and attachments) (optional)."),
    text_file: Optional[str] = typer.Option(None, "--text-file", metavar="FILE",
                                            help="The ticket's text: a file, or - for stdin."),
    text: Optional[str] = typer.Option(None, "--text", metavar="TEXT", help="The ticket's text, inline."),
    fmt: str = _format_opt(REPORT_FORMATS),
    fail_on: Optional[str] = FailOnOpt,
    output: Optional[Path] = OutputOpt,
    signatures: list[Path] = SignaturesOpt,
    lang: str = LangOpt,
    limit: list[str] = LimitOpt,
    engine: Optional[str] = EngineOpt,
) -> None:
    """Pre-screen a ticket: error codes and messages in its text, the logs of attached bundles, a route."""
    from azlog_vmbackup.analyzer.apps.triage import triage as run
    from azlog_vmbackup.core.bundle import BundleError

    if text_file is None and text is None and not bundles:
        fail("give the ticket text (--text-file FILE|- or --text) and/or bundles", 2)
    body = (text or "") + "\n" + _read_text(text_file) if text_file is not None else (text or "")
    limits = actions.limits(limit)
    engine = actions.engine(engine)
    knowledge = actions.knowledge(signatures)
    messages = [b for b in bundles or [] if b.suffix.lower() == ".eml"]
    others = [b for b in bundles or [] if b.suffix.lower() != ".eml"]
    if len(messages) > 1:
        fail("give one .eml message per ticket", 2)
    try:
        if messages:
            from azlog_vmbackup.analyzer.apps.email_ticket import EmailError, triage_message

            try:
                outcome = triage_message(messages[0], knowledge, limits, engine, body, others, messages[0].name)
            except EmailError as e:
                fail(f"{messages[0].name}: {e}")
        else:
            outcome = run(body, others, knowledge, limits, engine)
    except BundleError as e:
        fail(str(e))
    actions.emit(outcome.result, knowledge, fmt, output, None, lang, outcome.as_dict()["triage"])
    actions.fail_on(outcome.result, fail_on)


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
    name: str = typer.Argument(..., metavar="CODE|CAUSE", help="An error code (any spelling or case) or a cause id."),
    fmt: str = _format_opt(),
    lang: str = LangOpt,
    vm_os: Optional[str] = typer.Option(None, "--os", metavar="linux|windows", callback=_one_of("--os", OSES),
                                        help="Only what to collect on this OS."),
) -> None:
    """What an error code or a cause means: messages, causes, evidence to collect, remediation."""
    from azlog_vmbackup.analyzer.apps.explain import explain as run

    code = run(name, fmt, lang, vm_os=vm_os)  # shared with the entry point's quick path
    if code:
        raise typer.Exit(code)


@sig_app.command("list")
def sig_list(signatures: list[Path] = SignaturesOpt,
             fmt: str = _format_opt(("text", "json"))) -> None:
    """One line per signature: id, cause, weight, sources, file."""
    import json

    knowledge = actions.knowledge(signatures)
    rows = [{"id": s.id, "kind": s.kind, "cause": s.cause, "weight": s.weight, "os": s.os.value,
             "sources": list(s.sources) or ["*"], "file": s.file} for s in knowledge.signatures]
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['id']:45} {r['cause'] or '(noise)':32} {r['weight']:.2f}  "
                   f"{','.join(r['sources'])}  [{r['file']}]")


@sig_app.command("show")
def sig_show(sig_id: str = typer.Argument(..., metavar="ID", help="Signature id."),
             signatures: list[Path] = SignaturesOpt) -> None:
    """Everything about one signature, its examples included."""
    import yaml

    knowledge = actions.knowledge(signatures)
    sig = next((s for s in knowledge.signatures if s.id == sig_id), None)
    if sig is None:
        import difflib
        near = difflib.get_close_matches(sig_id, [s.id for s in knowledge.signatures], n=3)
        fail(f"unknown signature {sig_id!r}" + (f"; nearest: {', '.join(near)}" if near else ""))
    doc = {"id": sig.id, "title": sig.title, "kind": sig.kind, "cause": sig.cause or None,
           "error_codes": list(sig.error_codes), "os": sig.os.value, "sources": list(sig.sources),
           "hints": list(sig.hints), "regex": sig.pattern.pattern if sig.pattern is not None else None,
           "when": list(sig.when) or None, "levels": sorted(sig.levels) or None,
           "repeat": dict(zip(("count", "seconds"), sig.repeat, strict=True)) if sig.repeat else None,
           "weight": sig.weight, "remediation": list(sig.remediation), "references": list(sig.references),
           "examples": sig.examples, "file": sig.file}
    typer.echo(yaml.safe_dump({k: v for k, v in doc.items() if v not in (None, [], "")}, sort_keys=False,
                              allow_unicode=True, width=120), nl=False)


@sig_app.command("test")
def sig_test(signatures: list[Path] = SignaturesOpt) -> None:
    """Run every signature's match and no_match examples; exit 1 when one misbehaves."""
    from azlog_vmbackup.analyzer.matching.examples import failures

    knowledge = actions.knowledge(signatures)
    problems = [f for s in knowledge.signatures for f in failures(s, knowledge.signatures)]
    for line in problems:
        typer.echo(f"FAIL {line}")
    typer.echo(f"{len(knowledge.signatures)} signatures, {len(problems)} failing examples")
    if problems:
        raise typer.Exit(1)


@app.command()
def timeline(
    bundle: Path = BundleArg,
    out: Path = typer.Option(..., "--out", "-o", metavar="FILE", show_default=False,
                             help="Table to write: FILE.csv, FILE.jsonl or FILE.parquet."),
    signatures: list[Path] = SignaturesOpt,
    limit: list[str] = LimitOpt,
    engine: Optional[str] = EngineOpt,
) -> None:
    """Write every record of the bundle as a table (time, source, path, line, level, message, signatures)."""
    from azlog_vmbackup.analyzer.apps import timeline as tl
    from azlog_vmbackup.core.bundle import BundleError

    if out.suffix.lower() not in tl.SUFFIXES:
        fail(f"--out must end with {' or '.join(tl.SUFFIXES)}", 2)
    limits = actions.limits(limit)
    engine = actions.engine(engine)
    knowledge = actions.knowledge(signatures)
    try:
        frame = tl.build(bundle, knowledge, limits, engine)
    except BundleError as e:
        fail(str(e))
    try:
        tl.write(frame, out)
    except OSError as e:
        fail(f"cannot write {out}: {e.strerror}", 2)
    except ImportError:
        fail(f"parquet output needs pyarrow: {install_hint('parquet')}", 2)
    typer.echo(f"{len(frame)} records written to {out}", err=True)


class Executor(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def batch(
    inputs: list[str] = typer.Argument(..., help="Bundles, folders of bundles, or globs (** recursive)."),
    out: Path = typer.Option(..., "--out", "-o", help="Table to write: FILE.csv, FILE.parquet or FILE.jsonl."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count)."),
    resume: bool = typer.Option(False, "--resume", help="Continue OUT: skip bundles whose row is there with the "
                                "same sha256; replace the rows of bundles that changed."),
    retry_errors: bool = typer.Option(True, "--retry-errors/--keep-errors", help="With --resume: analyze again the "
                                      "bundles whose row is an error, and replace that row."),
    unknown: Optional[Path] = typer.Option(None, "--unknown", help="Write templates of unexplained ERROR/WARNING "
                                           "lines to FILE.csv or FILE.jsonl."),
    executor: Optional[Executor] = typer.Option(None, "--executor", help="local (processes; the default) or dask "
                                                "(a dask.distributed cluster)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="The dask scheduler, tcp://HOST:PORT."),
    engine: Optional[str] = EngineOpt,
    signatures: list[Path] = SignaturesOpt,
    limit: list[str] = LimitOpt,
) -> None:
    """Diagnose many bundles into one table: a row per bundle (cause, codes, confidence, status...)."""
    from azlog_vmbackup.analyzer.apps import batch as bt
    from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError

    if engine in Executor.__members__:  # --engine local|dask: the executor's old option, still taken
        if executor not in (None, engine):
            fail(f"--engine {engine} contradicts --executor {executor.value}", EXIT_USAGE)
        executor, engine = Executor(engine), None
    engine = actions.engine(engine)
    limits = actions.limits(limit)
    try:
        summary = bt.run(inputs, out, jobs=jobs, resume=resume, retry_errors=retry_errors, unknown=unknown,
                         executor=(executor or Executor.local).value, scheduler=scheduler, engine=engine,
                         signatures=[str(p) for p in signatures], limits=limits,
                         progress=True, warn=lambda m: typer.echo(f"azlog: {m}", err=True))
    except bt.BatchError as e:
        fail(str(e), 2)
    except KnowledgeError as e:
        fail(f"bad knowledge file: {e}")
    except OSError as e:
        fail(f"cannot write {e.filename or out}: {e.strerror}", 2)
    typer.echo(summary.text(out, unknown), err=True)
    if summary.stopped:
        raise typer.Exit(summary.exit_code)
    if summary.failure or summary.lost:
        raise typer.Exit(1)
    if summary.all_failed:
        raise typer.Exit(EXIT_INPUT)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (off loopback: AZLOG_API_KEY "
                             "required)."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
    max_upload_mb: int = typer.Option(200, "--max-upload-mb", min=1, help="Largest upload accepted (413 past it)."),
    workers: int = typer.Option(2, "--workers", min=1, help="Analysis worker processes."),
    timeout: float = typer.Option(120.0, "--timeout", min=0.1, help="Seconds one analysis may take (504 past it)."),
    queue: int = typer.Option(16, "--queue", min=0, help="Requests that may wait for a worker (429 past it)."),
    signatures: list[Path] = SignaturesOpt,
) -> None:
    """Serve analyze, triage and explain over HTTP (JSON), for ticket systems."""
    try:
        import fastapi  # noqa: F401
        import multipart  # noqa: F401
        import prometheus_client  # noqa: F401
        import uvicorn

        from azlog_vmbackup.analyzer.apps.service.app import Settings, create_app
    except ImportError:
        fail(f"azlog serve needs FastAPI and uvicorn: {install_hint('serve')}", EXIT_USAGE)
    settings = Settings(host=host, port=port, max_upload_mb=max_upload_mb, workers=workers, timeout=timeout,
                        queue=queue, api_key=os.environ.get("AZLOG_API_KEY") or None,
                        signatures=tuple(str(p.resolve()) for p in signatures))
    problem = settings.problem()
    if problem:
        fail(problem, EXIT_USAGE)
    actions.knowledge(signatures)  # a bad signature file is refused here, before anything listens
    typer.echo(f"azlog: serving on http://{host}:{port} ({workers} workers; docs at /docs)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=int(timeout) + 5)


def run() -> None:
    """Run the typer application on ``sys.argv`` (``actions.guarded``: no traceback unless AZLOG_DEBUG is set)."""
    actions.guarded(lambda: app(prog_name="azlog"))
