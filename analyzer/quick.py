"""Commands answered without loading typer: ``azlog explain NAME [--format F] [--lang L]``.

Typer (with click, rich and pydantic behind it) costs more than the whole of
``explain``; the console entry point and ``python -m analyzer.cli`` try
``run`` first and hand everything it does not recognise exactly (help, an
unknown option, a bad value...) to the typer application, which owns usage
and its errors. ``explain`` itself (``explain``) is shared with the typer
command, so both give the same output and exit codes.
"""
from __future__ import annotations

import sys
from typing import TextIO

FORMATS = ("text", "json", "markdown")
LANGS = ("en", "hu")
EXIT_INPUT = 3
_OPTIONS = {"--format": ("fmt", FORMATS), "-f": ("fmt", FORMATS), "--lang": ("lang", LANGS)}


def explain_args(argv: list[str]) -> dict | None:
    """``{"name", "fmt", "lang"}`` for a plain ``explain`` command line; None for anything else."""
    if len(argv) < 2 or argv[0] != "explain":
        return None
    got: dict = {"name": None, "fmt": "text", "lang": "en"}
    args = list(argv[1:])
    while args:
        arg = args.pop(0)
        if arg.startswith("-"):
            option, eq, value = arg.partition("=")
            if option not in _OPTIONS:
                return None  # --help, --, unknown options: typer's business
            if not eq:
                if not args:
                    return None
                value = args.pop(0)
            key, allowed = _OPTIONS[option]
            if value not in allowed:
                return None
            got[key] = value
        elif got["name"] is None:
            got["name"] = arg
        else:
            return None
    return got if got["name"] is not None else None


def explain(name: str, fmt: str = "text", lang: str = "en", out: TextIO | None = None,
            err: TextIO | None = None) -> int:
    """Print what code or cause ``name`` means; the exit code (3: unknown name, nearest ones on ``err``)."""
    import difflib

    from analyzer.causes import load_causes
    from analyzer.codes import load_codes
    from analyzer.knowledge import Knowledge
    from analyzer.report import explain_report
    from analyzer.schema import KnowledgeError

    out, err = out or sys.stdout, err or sys.stderr
    try:
        causes = load_causes()
        knowledge = Knowledge(causes, [], load_codes(causes=causes))  # explain needs no signatures
    except KnowledgeError as e:
        err.write(f"azlog: bad knowledge file: {e}\n")
        return EXIT_INPUT
    info = knowledge.codes.get(name)
    cause = knowledge.causes.get(name.strip().lower())
    if info is None and cause is None:
        near = knowledge.codes.nearest(name) + difflib.get_close_matches(name.lower(), list(knowledge.causes), n=2)
        err.write(f"azlog: unknown code or cause {name!r}" + (f"; nearest: {', '.join(near)}" if near else "") + "\n")
        return EXIT_INPUT
    doc = (explain_report.code_doc(info, knowledge, lang) if info is not None
           else explain_report.cause_doc(cause, knowledge, lang))
    if fmt == "json":
        explain_report.render_json(doc, out)
    else:
        explain_report.render_text(doc, out, lang, markdown=fmt == "markdown")
    return 0


def run(argv: list[str]) -> int | None:
    """The exit code of a command answered here; None when typer must answer it."""
    args = explain_args(argv)
    if args is None:
        return None
    return explain(args["name"], args["fmt"], args["lang"])


def main() -> None:
    """Console entry point: the quick commands here, everything else through ``analyzer.cli``."""
    code = _quick_or_none(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from analyzer.cli import main as full

    full()


def _quick_or_none(argv: list[str]) -> int | None:
    import os

    try:
        return run(argv)
    except Exception as e:  # noqa: BLE001 - the same last line of defence as analyzer.cli.main
        if os.environ.get("AZLOG_DEBUG"):
            raise
        sys.stderr.write(f"azlog: internal error: {type(e).__name__}: {e}\n")
        return 1
