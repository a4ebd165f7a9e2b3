"""The ``azlog`` console entry point: a few answers without loading typer, everything else through it.

Typer (with click, rich and pydantic behind it) costs more than the whole of
``explain`` or ``--version``, and a third of analyzing a small bundle; ``main``
answers exactly these command lines itself (``analyze`` through the same
``actions.analyze`` as the typer command) and hands everything else, help,
unknown options, repeated options and bad values included, to the typer
application (``azlog_vmbackup.commands``), which owns usage and its errors::

    azlog --version | -V
    azlog explain NAME [--format text|json|markdown] [--lang en|hu] [--os linux|windows]
    azlog analyze BUNDLE [--format|-f FORMAT] [--output|-o FILE] [--fail-on LEVEL] [--explain]
                  [--signatures PATH]... [--color|--no-color] [--lang en|hu] [--limit NAME=VALUE]...
                  [--engine NAME]

each option as ``--name VALUE`` or ``--name=VALUE`` (``-f VALUE``, ``-o VALUE``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from azlog_vmbackup.analyzer.report import FORMATS, LANGS, LEVELS, REPORT_FORMATS

_OPTIONS = {"--format": ("fmt", FORMATS), "-f": ("fmt", FORMATS), "--lang": ("lang", LANGS),
            "--os": ("vm_os", ("linux", "windows"))}

# analyze's options: keyword of actions.analyze, allowed values (None: any), repeatable; flags set a value
_ANALYZE = {"--format": ("fmt", REPORT_FORMATS, False), "-f": ("fmt", REPORT_FORMATS, False),
            "--output": ("output_path", None, False), "-o": ("output_path", None, False),
            "--fail-on": ("fail_level", LEVELS, False), "--signatures": ("signatures", None, True),
            "--lang": ("lang", LANGS, False), "--limit": ("limit", None, True),
            "--engine": ("engine_name", None, False)}
_ANALYZE_FLAGS = {"--explain": ("explain", True), "--color": ("color", True), "--no-color": ("color", False)}
_PATHS = ("output_path", "signatures")


def analyze_args(argv: list[str]) -> dict | None:
    """The keywords of ``actions.analyze`` for a plain ``analyze`` command line; None for anything else.

    >>> args = analyze_args(["analyze", "b.zip", "-f", "json", "--limit=members=9", "--no-color"])
    >>> args["bundle"].name, args["fmt"], args["limit"], args["color"]
    ('b.zip', 'json', ['members=9'], False)
    >>> analyze_args(["analyze", "b.zip", "--format", "yaml"]) is None  # typer says why
    True
    """
    if len(argv) < 2 or argv[0] != "analyze":
        return None
    if os.name == "nt" and any(c in arg for arg in argv for c in "*?["):
        return None  # click expands wildcards in Windows command lines
    got: dict = {}
    args = list(argv[1:])
    while args:
        arg = args.pop(0)
        if not arg.startswith("-"):
            if "bundle" in got or not arg or not _readable_or_missing(arg):
                return None
            got["bundle"] = Path(arg)
            continue
        if arg in _ANALYZE_FLAGS:
            key, value = _ANALYZE_FLAGS[arg]
        else:
            option, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
            if option not in _ANALYZE:
                return None  # --help, --, -fjson, unknown options: typer's business
            if not eq:
                if not args:
                    return None
                value = args.pop(0)
            key, allowed, repeatable = _ANALYZE[option]
            if not value or value.startswith("-") or allowed is not None and value not in allowed:
                return None
            if key in _PATHS:
                if not _readable_or_missing(value):
                    return None
                value = Path(value)
            if repeatable:
                got.setdefault(key, []).append(value)
                continue
        if key in got:
            return None  # given twice
        got[key] = value
    return got if "bundle" in got else None


def _readable_or_missing(path: str) -> bool:
    """False for a path that exists but cannot be read, which typer refuses with a usage error.

    >>> _readable_or_missing("no/such/bundle.zip")
    True
    """
    return not os.path.exists(path) or os.access(path, os.R_OK)


def explain_args(argv: list[str]) -> dict | None:
    """``{"name", "fmt", "lang", "vm_os"}`` for a plain ``explain`` command line; None for anything else."""
    if len(argv) < 2 or argv[0] != "explain":
        return None
    got: dict = {"name": None, "fmt": "text", "lang": "en", "vm_os": None}
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


def quick(argv: list[str]) -> int | None:
    """The exit code of a command line answered here; None when typer must answer it (``analyze`` ends the
    process itself, as typer would)."""
    if argv in (["--version"], ["-V"]):
        from azlog_vmbackup import __version__

        sys.stdout.write(f"azlog {__version__}\n")
        return 0
    analyzed = None if "_AZLOG_COMPLETE" in os.environ else analyze_args(argv)  # shell completion: click's
    if analyzed is not None:
        _head_start(analyzed)
        from azlog_vmbackup import actions

        actions.guarded(lambda: actions.invoked(lambda: actions.analyze(**analyzed)), at_once=True)
    args = explain_args(argv)
    if args is None:
        return None
    from azlog_vmbackup.analyzer.apps.explain import explain

    return explain(args["name"], args["fmt"], args["lang"], vm_os=args["vm_os"])


def _head_start(args: dict) -> None:
    """Have a large plain log's first pieces scanned while the analysis loads (``head_start``); not with a user's
    own signatures, whose databases the plan written ahead does not hold."""
    if not args.get("signatures"):
        from azlog_vmbackup.analyzer.matching import head_start

        head_start.begin(args["bundle"], args.get("engine_name"))


def main() -> None:
    """Console entry point and ``python -m azlog_vmbackup``: no traceback reaches the user unless AZLOG_DEBUG is set."""
    try:
        code = quick(sys.argv[1:])
        if code is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        from azlog_vmbackup.streams import quiet_exit

        quiet_exit()
    except Exception as e:  # noqa: BLE001 - the same last line of defence as the typer application's
        if os.environ.get("AZLOG_DEBUG"):
            raise
        sys.stderr.write(f"azlog: internal error: {type(e).__name__}: {e}\n")
        code = 1
    if code is not None:
        sys.exit(code)
    from azlog_vmbackup.commands import run

    run()
