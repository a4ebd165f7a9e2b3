"""Start-up: ``azlog --help`` and ``azlog explain`` load neither pandas nor (for explain) typer.

Not a timing test: it checks which modules a fresh interpreter imported.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from azlog_vmbackup.entry import explain_args
from tests.helpers import ROOT

# run a command line as `python -m azlog_vmbackup` or as the console script would, then report sys.modules
WRAPPER = """
import json, runpy, sys
how, args = sys.argv[1], sys.argv[2:]
sys.argv = ["azlog", *args]
code = 0
try:
    if how == "module":
        runpy.run_module("azlog_vmbackup", run_name="__main__", alter_sys=True)
    else:
        from azlog_vmbackup.entry import main
        main()
except SystemExit as e:
    code = e.code or 0
heavy = ("pandas", "numpy", "typer", "rich", "pydantic", "lxml", "evtx", "hyperscan")
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}) + "\\n")
"""


def _loaded(how: str, *args: str) -> tuple[int, list[str], str]:
    done = subprocess.run([sys.executable, "-c", WRAPPER, how, *args], capture_output=True, text=True, cwd=ROOT)
    line = [x for x in done.stderr.splitlines() if x.startswith("MODULES ")][-1]
    report = json.loads(line[len("MODULES "):])
    return report["code"], report["loaded"], done.stdout


@pytest.mark.parametrize("how", ["module", "script"])
def test_help_does_not_import_pandas(how):
    code, loaded, out = _loaded(how, "--help")
    assert code == 0 and "explain" in out
    assert "pandas" not in loaded and "numpy" not in loaded


@pytest.mark.parametrize("how", ["module", "script"])
@pytest.mark.parametrize("args", [("UserErrorFsFreezeFailed",), ("no-internet-access", "--format", "json"),
                                  ("UserErrorFsFreezeFailed", "--format=markdown", "--lang", "hu")])
def test_explain_imports_neither_pandas_nor_typer(how, args):
    code, loaded, out = _loaded(how, "explain", *args)
    assert code == 0 and out.strip()
    assert loaded == [], loaded


def test_explain_unknown_name_stays_quick():
    code, loaded, _ = _loaded("script", "explain", "UserErrorGuestAgentStatusUnavailabel")
    assert code == 3 and loaded == []


def test_anything_else_goes_to_typer():
    assert explain_args(["explain", "X"]) == {"name": "X", "fmt": "text", "lang": "en", "vm_os": None}
    assert explain_args(["explain", "-f", "json", "X", "--lang=hu", "--os", "windows"]) == {
        "name": "X", "fmt": "json", "lang": "hu", "vm_os": "windows"}
    for argv in (["explain"], ["explain", "--help"], ["explain", "X", "Y"], ["explain", "X", "--format", "xml"],
                 ["explain", "X", "--os", "macos"],
                 ["explain", "X", "--format"], ["explain", "--", "X"], ["analyze", "X"], []):
        assert explain_args(argv) is None, argv
    code, loaded, _ = _loaded("script", "explain", "X", "--format", "xml")
    assert code == 2 and "typer" in loaded  # typer's usage error
