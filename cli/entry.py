"""The ``azlog`` console entry point: a few answers without loading typer, everything else through it.

Typer (with click, rich and pydantic behind it) costs more than the whole of
``explain`` or ``--version``; ``main`` answers exactly these command lines
itself and hands everything else, help, unknown options and bad values
included, to the typer application (``azlog_vmbackup.commands``), which
owns usage and its errors::

    azlog --version | -V
    azlog explain NAME [--format text|json|markdown] [--lang en|hu] [--os linux|windows]
"""
from __future__ import annotations

import os
import sys

from azlog_vmbackup.analyzer.report import FORMATS, LANGS

_OPTIONS = {"--format": ("fmt", FORMATS), "-f": ("fmt", FORMATS), "--lang": ("lang", LANGS),
            "--os": ("vm_os", ("linux", "windows"))}

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
    """The exit code of a command line answered here; None when typer must answer it."""
    if argv in (["--version"], ["-V"]):
        from azlog_vmbackup import __version__

        sys.stdout.write(f"azlog {__version__}\n")
        return 0
    args = explain_args(argv)
    if args is None:
        return None
    from azlog_vmbackup.analyzer.apps.explain import explain

    return explain(args["name"], args["fmt"], args["lang"], vm_os=args["vm_os"])


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
