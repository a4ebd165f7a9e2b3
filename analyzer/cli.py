"""The ``azlog`` command line.

Exit codes: 0 analyzed (whether or not a cause was found), 2 usage error,
3 input unreadable (one line on stderr), 1 internal error.
"""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from analyzer.bundle import BundleError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Tell why an Azure VM backup failed, from the guest log bundle.")

EXIT_INPUT = 3


@app.callback()
def _root() -> None:
    """Tell why an Azure VM backup failed, from the guest log bundle."""


class Format(str, Enum):
    text = "text"
    json = "json"


def fail(message: str, code: int = EXIT_INPUT) -> None:
    typer.echo(f"azlog: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def analyze(
    bundle: Path = typer.Argument(..., help="Bundle: .zip, .tar, .tar.gz/.tgz, a directory or a single log file."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout."),
    signatures: list[Path] = typer.Option([], "--signatures", help="Extra signature YAML file or folder (repeatable)."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Force colours on or off (default: on a terminal)."),
) -> None:
    """Diagnose one bundle: ranked causes, error codes, evidence, remediation."""
    from analyzer.analyze import Knowledge, analyze as run
    from analyzer.signatures import SignatureError

    try:
        knowledge = Knowledge.load(signatures)
    except SignatureError as e:
        fail(f"bad signature file: {e}")
    try:
        result = run(bundle, knowledge)
    except BundleError as e:
        fail(str(e))
    _emit(result, fmt, output, color)


@app.command()
def timeline(
    bundle: Path = typer.Argument(..., help="Bundle: .zip, .tar, .tar.gz/.tgz, a directory or a single log file."),
    out: Path = typer.Option(..., "--out", "-o", help="Table to write: FILE.csv or FILE.jsonl."),
    signatures: list[Path] = typer.Option([], "--signatures", help="Extra signature YAML file or folder (repeatable)."),
) -> None:
    """Write every record of the bundle as a table (time, source, path, line, level, message, signatures)."""
    from analyzer import timeline as tl
    from analyzer.analyze import Knowledge
    from analyzer.signatures import SignatureError

    if out.suffix.lower() not in tl.SUFFIXES:
        fail(f"--out must end with {' or '.join(tl.SUFFIXES)}", 2)
    try:
        frame = tl.build(bundle, Knowledge.load(signatures))
    except SignatureError as e:
        fail(f"bad signature file: {e}")
    except BundleError as e:
        fail(str(e))
    try:
        tl.write(frame, out)
    except OSError as e:
        fail(f"cannot write {out}: {e.strerror}", 2)
    typer.echo(f"{len(frame)} records written to {out}", err=True)


def _emit(result, fmt: Format, output: Path | None, color: bool | None) -> None:
    from analyzer.report import json_report, text_report

    try:
        out = open(output, "w", encoding="utf-8") if output else sys.stdout
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror}", 2)
    try:
        if fmt is Format.json:
            out.write(json_report.render(result))
        else:
            text_report.render(result, out, color=False if output else color)
    finally:
        if output:
            out.close()


def main() -> None:
    """Console entry point: no traceback reaches the user unless AZLOG_DEBUG is set."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("azlog: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the last line of defence
        if os.environ.get("AZLOG_DEBUG"):
            raise
        typer.echo(f"azlog: internal error: {type(e).__name__}: {e}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
