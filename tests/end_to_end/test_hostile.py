"""azlog against a hostile corpus (tests/hostile_corpus.py): bombs, slips, links, XML attacks, junk.

Each case runs ``python -m azlog_vmbackup analyze CASE --format json`` in a fresh process whose cwd
is an empty directory, measuring wall time and peak RSS. Safety (``test_hostile``): done within
60 s, exit 0 or 3 (3: exactly one stderr line), no traceback, peak RSS under 1 GiB, nothing written
(cwd, beside the case, in the corpus; no evil.txt anywhere under /tmp, no /etc/cron.d/x), no line
of /etc/passwd in the output; a case holding a good waagent.log is analyzed (exit 0, agent_version
2.13.1.1); every inventory entry is parsed, skipped or refused, the last two with a reason.
The limits contract (``test_hostile_limits``): where a limit must stop a member, an inventory entry
is ``refused`` with a reason naming the limit ``(<name> limit)``; the Windows case reports
``os: windows``.

The corpus is built once per module; the big cases (3 GiB and 2 GiB bombs, the 300 MiB line) are
built just before their run and deleted after it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import hostile_corpus as hc

TIME_LIMIT = 60.0
RSS_LIMIT = 1 << 30
KILL_AFTER = 120.0          # the watchdog stops a runaway run here (reported as a failure)
KILL_RSS = 4 << 30          # ... or at this RSS, to protect the machine
STATUSES = {"parsed", "skipped", "refused"}
CRON = Path("/etc/cron.d/x")


def _root_lines() -> list[str]:
    try:
        lines = Path("/etc/passwd").read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    return [line for line in lines if line.startswith("root:")] or ["root:x:0:0:"]


def _listing(directory: Path) -> list[str]:
    """Every name under ``directory`` (links listed, not followed)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        rel = os.path.relpath(dirpath, directory)
        out += [os.path.join(rel, n) for n in dirnames + filenames]
    return sorted(out)


def _evil_under_tmp() -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk("/tmp", followlinks=False):
        found.update(os.path.join(dirpath, n) for n in dirnames + filenames if n.lower() == "evil.txt")
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("hostile") / "corpus"
    _BUILT.update(hc.build_corpus(directory))
    return directory


_BUILT: dict[str, Path] = {}


_RUNS: dict[str, tuple[hc.Run, list[str]]] = {}


def _run_case(case: hc.Case, corpus: Path, scratch: Path) -> tuple[hc.Run, list[str]]:
    """Run ``case`` once (cached for the module); return the run and what it did outside azlog's output."""
    if case.name in _RUNS:
        return _RUNS[case.name]
    path = case.build(corpus) if case.lazy else _BUILT[case.name]
    cwd = scratch / "cwd"
    cwd.mkdir()
    evil_before, cron_before, corpus_before = _evil_under_tmp(), CRON.exists(), _listing(corpus)
    try:
        run = hc.run_azlog(path, cwd, scratch / "io", kill_after=KILL_AFTER, kill_rss=KILL_RSS)
        side_effects = []
        if left := os.listdir(cwd):
            side_effects.append(f"files appeared in the empty cwd: {left[:5]}")
        if (after := _listing(corpus)) != corpus_before:
            new = sorted(set(after) - set(corpus_before))
            gone = sorted(set(corpus_before) - set(after))
            side_effects.append(f"corpus dir changed: new {new[:5]}, gone {gone[:5]}")
        if evil := _evil_under_tmp() - evil_before:
            side_effects.append(f"evil.txt appeared: {sorted(evil)[:5]}")
        if CRON.exists() and not cron_before:
            side_effects.append(f"{CRON} was created")
    finally:
        if case.lazy:
            hc.remove(path)
    _RUNS[case.name] = (run, side_effects)
    return run, side_effects


def _describe(run: hc.Run) -> str:
    stderr = run.stderr.strip().splitlines()
    return (f"exit {run.returncode}, {run.seconds:.1f} s, peak RSS {run.peak_rss_mib:.0f} MiB"
            + (f", {run.killed}" if run.killed else "")
            + (f", stderr: {stderr[-1][:300]!r} ({len(stderr)} lines)" if stderr else ""))


@pytest.mark.parametrize("case", hc.CASES, ids=lambda c: c.name)
def test_hostile(case: hc.Case, corpus: Path, tmp_path: Path) -> None:
    run, problems = _run_case(case, corpus, tmp_path)
    problems = list(problems)
    if run.killed:
        problems.append(run.killed)
    if run.seconds > TIME_LIMIT:
        problems.append(f"took {run.seconds:.1f} s (limit {TIME_LIMIT:.0f} s)")
    if run.peak_rss >= RSS_LIMIT:
        problems.append(f"peak RSS {run.peak_rss_mib:.0f} MiB (limit {RSS_LIMIT >> 20} MiB)")
    if run.returncode not in (0, 3):
        problems.append(f"exit code {run.returncode} (expected 0 or 3)")
    if run.returncode == 3 and len(run.stderr.strip().splitlines()) != 1:
        problems.append(f"exit 3 with {len(run.stderr.strip().splitlines())} stderr lines (expected exactly one)")
    if "Traceback" in run.stderr or "Traceback" in run.stdout:
        problems.append("a traceback was printed")
    for line in _root_lines():
        if line in run.stdout or line in run.stderr:
            problems.append(f"/etc/passwd content in the output: {line[:20]}...")
    if case.good:
        if run.returncode != 0:
            problems.append("the case holds a good waagent.log but was not analyzed (exit 0 expected)")
        elif run.doc is not None and (run.doc.get("facts") or {}).get("agent_version") != hc.GOOD_AGENT_VERSION:
            problems.append(f"facts.agent_version is {(run.doc.get('facts') or {}).get('agent_version')!r}, "
                            f"expected {hc.GOOD_AGENT_VERSION!r}")
    if run.returncode == 0:
        if run.doc is None:
            problems.append("exit 0 but stdout is not a JSON document")
        else:
            for entry in run.inventory():
                if entry.get("status") not in STATUSES:
                    problems.append(f"inventory entry {entry.get('path')!r} has status {entry.get('status')!r}")
                elif entry["status"] != "parsed" and not entry.get("reason"):
                    problems.append(f"inventory entry {entry.get('path')!r} is {entry['status']} without a reason")
    assert not problems, f"{case.name}: {_describe(run)}\n  - " + "\n  - ".join(problems[:20])


CONTRACT = [c for c in hc.CASES if c.limits or c.os]


@pytest.mark.parametrize("case", CONTRACT, ids=lambda c: c.name)
def test_hostile_limits(case: hc.Case, corpus: Path, tmp_path: Path) -> None:
    run, _ = _run_case(case, corpus, tmp_path)
    problems = [f"the run did not finish ({run.killed})"] if run.killed else []
    if case.limits and not run.killed:
        marks = [f"({name} limit)" for name in case.limits]
        refused = [e for e in run.refused() if any(m in (e.get("reason") or "") for m in marks)]
        rejected = run.returncode == 3 and any(m in run.stderr for m in marks)
        if not (refused or rejected):
            named = [f"{e.get('status')}: {e.get('path')}: {e.get('reason')}" for e in run.inventory()
                     if "limit" in (e.get("reason") or "")]
            problems.append(f"no inventory entry refused naming {' or '.join(marks)}; entries naming a limit: "
                            f"{named[:3] or 'none'}")
    if case.os and run.returncode == 0 and run.doc and run.doc.get("os") != case.os:
        problems.append(f"os is {run.doc.get('os')!r}, expected {case.os!r}")
    if case.os and run.returncode != 0:
        problems.append(f"not analyzed (exit {run.returncode})")
    assert not problems, f"{case.name}: {_describe(run)}\n  - " + "\n  - ".join(problems)
