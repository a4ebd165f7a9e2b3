"""Start-up: ``azlog --help`` and ``azlog explain`` load neither pandas nor (for explain) typer; a plain
``azlog analyze`` does not load typer either, and says what the typer command says.

Not a timing test: it checks which modules a fresh interpreter imported.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from azlog_vmbackup.entry import analyze_args, explain_args
from tests.helpers import ROOT

HEAVY = ("pandas", "numpy", "typer", "rich", "pydantic", "lxml", "evtx", "hyperscan")
WATCHED = (*HEAVY, "click", "yaml", "rapidfuzz", "jinja2", "difflib")
# run a command line as `python -m azlog_vmbackup` or as the console script would, then report sys.modules
WRAPPER = f"""
import json, os, runpy, sys
how, args = sys.argv[1], sys.argv[2:]
sys.argv = ["azlog", *args]
code = 0
me, end = os.getpid(), os._exit


def ended(code):  # a command that ends at once (``actions.guarded``) is still reported on below
    if os.getpid() != me:
        end(code)
    raise SystemExit(code)


os._exit = ended
try:
    if how == "module":
        runpy.run_module("azlog_vmbackup", run_name="__main__", alter_sys=True)
    else:
        from azlog_vmbackup.entry import main
        main()
except SystemExit as e:
    code = e.code or 0
heavy = {WATCHED!r}
sys.stderr.write("\\nMODULES " + json.dumps({{"code": code, "loaded": [m for m in heavy if m in sys.modules]}}) + "\\n")
"""


def _run(how: str, *args: str) -> tuple[int, list[str], str, str]:
    """(exit code, heavy modules loaded, stdout, stderr less the module report) of one command line."""
    done = subprocess.run([sys.executable, "-c", WRAPPER, how, *args], capture_output=True, text=True, cwd=ROOT)
    line = [x for x in done.stderr.splitlines() if x.startswith("MODULES ")][-1]
    report = json.loads(line[len("MODULES "):])
    return report["code"], report["loaded"], done.stdout, done.stderr[:done.stderr.rindex("\nMODULES ")]


def _loaded(how: str, *args: str) -> tuple[int, list[str], str]:
    code, loaded, out, _ = _run(how, *args)
    return code, [m for m in loaded if m in HEAVY], out


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


HEALTHY = "samples/bundles/linux-healthy-modern.zip"
FAILED = "samples/bundles/linux-fsfreeze-failed.zip"


@pytest.mark.parametrize("how", ["module", "script"])
@pytest.mark.parametrize("quick, typer_line", [
    # the same request, answered without typer and (written so that only click reads it) by the typer command
    (("analyze", HEALTHY, "--format", "json"), ("analyze", HEALTHY, "-fjson")),
    (("analyze", FAILED, "--format=markdown", "--lang", "hu", "--fail-on", "medium"),
     ("analyze", FAILED, "-fmarkdown", "--lang", "hu", "--fail-on", "medium")),
    (("analyze", FAILED, "--explain", "--no-color", "--engine", "regex", "--limit", "members=50"),
     ("analyze", FAILED, "--explain", "--no-color", "--engine", "regex", "--limit", "members=50", "--")),
    (("analyze", "no/such/bundle.zip", "-f", "json"), ("analyze", "no/such/bundle.zip", "-fjson")),
    (("analyze", FAILED, "--engine", "grep"), ("analyze", FAILED, "--engine", "grep", "--")),
])
def test_plain_analyze_answers_without_typer_as_typer_does(how, quick, typer_line):
    code, loaded, out, err = _run(how, *quick)
    assert "typer" not in loaded and "pandas" not in loaded, loaded
    typer_code, typer_loaded, typer_out, typer_err = _run(how, *typer_line)
    assert "typer" in typer_loaded
    assert (code, out, err) == (typer_code, typer_out, typer_err)


def test_plain_analyze_exit_codes():
    assert _run("script", "analyze", FAILED, "--fail-on", "high")[0] == 1
    assert _run("script", "analyze", "no/such/bundle.zip")[0] == 3
    code, _, out, _ = _run("script", "analyze", HEALTHY, "-o", "/no/such/dir/report.json", "-f", "json")
    assert code == 2 and out == ""


def test_what_goes_to_typer_instead(monkeypatch):
    args = analyze_args(["analyze", "--signatures", "a.yaml", "b.zip", "--signatures=c.yaml", "-o", "r.md",
                         "--color", "--explain", "--engine", "regex", "--fail-on", "low", "--lang", "hu"])
    assert {k: [str(p) for p in v] if isinstance(v, list) else str(v) for k, v in args.items()} == {
        "signatures": ["a.yaml", "c.yaml"], "bundle": "b.zip", "output_path": "r.md", "color": "True",
        "explain": "True", "engine_name": "regex", "fail_level": "low", "lang": "hu"}
    for argv in (["analyze"], ["analyze", "--help"], ["analyze", "-h", "b.zip"], ["analyze", "b.zip", "c.zip"],
                 ["analyze", "b.zip", "--format", "yaml"], ["analyze", "b.zip", "-fjson"], ["analyze", "b.zip", "--"],
                 ["analyze", "b.zip", "-f", "json", "-f", "text"], ["analyze", "b.zip", "--color", "--no-color"],
                 ["analyze", "b.zip", "--format"], ["analyze", "b.zip", "-o", "-x"], ["analyze", ""],
                 ["analyze", "b.zip", "--engine="], ["analyze", "b.zip", "--explain=yes"], ["analyze", "b.zip", "-V"],
                 ["--version", "analyze", "b.zip"], ["explain", "X"]):
        assert analyze_args(argv) is None, argv
    monkeypatch.setattr("os.access", lambda path, mode: False)  # an existing bundle this user cannot read
    assert analyze_args(["analyze", str(ROOT / "README.md")]) is None
    assert analyze_args(["analyze", "no/such/bundle.zip"]) is not None


def test_plain_analyze_loads_only_what_the_bundle_needs():
    """No command-line framework, no YAML (the knowledge comes from its mirror), no fuzzy matching when a cause
    is named, no report templates for JSON."""
    code, loaded, out, _ = _run("script", "analyze", FAILED, "--format", "json", "--engine", "regex")
    assert code == 0 and json.loads(out)["diagnoses"][0]["cause"] == "fsfreeze-failed"
    assert not {"typer", "click", "rich", "pydantic", "yaml", "rapidfuzz", "pandas", "jinja2", "difflib",
                "hyperscan"} & set(loaded), loaded


def test_the_quick_analyze_knows_every_option_of_the_typer_command():
    """Both ways through take the same options and mean the same defaults: an option typer learns is either
    taught to ``entry.analyze_args`` or sends the command line to typer."""
    import inspect

    import typer.main

    from azlog_vmbackup import actions, commands, entry

    command = typer.main.get_command(commands.app).commands["analyze"]
    quick = {option: spec[0] for option, spec in {**entry._ANALYZE, **entry._ANALYZE_FLAGS}.items()}
    defaults = {name: p.default for name, p in inspect.signature(actions.analyze).parameters.items()}
    seen = set()
    for param in command.params:
        if param.param_type_name == "argument":
            assert param.name == "bundle" and "bundle" in defaults
            continue
        seen.update((*param.opts, *param.secondary_opts))
        key = quick[param.opts[0]]
        assert defaults[key] == (tuple(param.default) if param.multiple else param.default), key
        if param.opts[0] in entry._ANALYZE:
            assert entry._ANALYZE[param.opts[0]][2] == param.multiple, param.opts[0]
    assert seen == set(quick)
