"""Scenario files: one end-to-end case each, loaded strictly and run through ``analyze``.

A scenario is a small YAML file (``tests/scenarios/README.md`` gives the format): the lines of a few bundle
members, or the path of a sample bundle, and what azlog must answer. This module knows the format, not where
the files are kept, so a corpus of public cases in the same format elsewhere reuses it::

    paths = discover(root)                         # at collection: ids never depend on a file parsing
    scenario = load(path, root, causes)            # in the test: a bad file fails its own test, by name
    check(scenario, run(scenario, knowledge))      # AssertionError with azlog's answer when it differs
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from azlog_vmbackup.analyzer.apps.analyze import analyze, analyze_files
from azlog_vmbackup.analyzer.apps.triage import triage
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.core.model import Result
from tests.helpers import ROOT

SCENARIOS = ROOT / "tests" / "scenarios"
HEALTHY = "healthy"  # the folder of cases where no cause may be named at medium or high confidence
CONFIDENCES = ("high", "medium", "low")
OSES = ("linux", "windows")
OWN = "own"
TOP_KEYS = {"summary", "source", "resolution", "evidence", "files", "bundle", "ticket", "expect"}
INPUTS = ("files", "bundle", "ticket")
EXPECT_KEYS = {"cause", "codes", "confidence", "os"}
_URL = re.compile(r"https?://\S+$")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*$")


class ScenarioError(ValueError):
    """A scenario file that does not follow the format; the message starts with the file's id."""


@dataclass(frozen=True)
class Expect:
    cause: str | None            # the top diagnosis's cause; None: nothing at medium or high confidence
    codes: tuple[str, ...] = ()  # all of them in the top diagnosis's error_codes
    confidence: str | None = None
    os: str | None = None


@dataclass(frozen=True)
class Scenario:
    id: str                      # the path under the root, e.g. "fsfreeze-failed/fifreeze-busy-mount.yaml"
    path: Path
    summary: str
    source: str                  # "own", or the URL of the public case
    resolution: str | None
    files: dict[str, str] | None  # member path -> text
    bundle: Path | None          # a sample bundle (absolute path)
    expect: Expect
    evidence: str | None = None  # the kind of evidence (a corpus's classes: traceback, agent-not-starting...)
    ticket: str | None = None    # a ticket's text, run through triage instead of analyze


def held_out(source: str) -> bool:
    """A real-case corpus's rule for its held-out third: decided by the case's source URL alone."""
    return int(hashlib.sha256(source.encode()).hexdigest(), 16) % 3 == 0


def discover(root: Path = SCENARIOS) -> list[Path]:
    """Every scenario file under ``root`` (``*.yaml`` / ``*.yml`` at any depth), in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def scenario_id(path: Path, root: Path = SCENARIOS) -> str:
    return path.relative_to(root).as_posix()


def load(path: Path, root: Path, causes: Collection[str]) -> Scenario:
    """Read and validate the scenario at ``path``; ``causes``: the known cause ids. Raises ``ScenarioError``."""
    sid = scenario_id(path, root)

    def fail(message: str) -> ScenarioError:
        return ScenarioError(f"{sid}: {message}")

    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise fail(f"not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise fail("must be a mapping of summary, source, files or bundle, expect")
    unknown = sorted(set(map(str, doc)) - TOP_KEYS)
    if unknown:
        raise fail(f"unknown keys {unknown} (allowed: {sorted(TOP_KEYS)})")
    for key in ("summary", "source", "expect"):
        if key not in doc:
            raise fail(f"missing {key!r}")
    summary = doc["summary"]
    if not isinstance(summary, str) or not summary.strip() or "\n" in summary.strip():
        raise fail("summary must be one non-empty line")
    source = doc["source"]
    if not isinstance(source, str) or not (source == OWN or _URL.match(source)):
        raise fail(f"source must be {OWN!r} or the URL of the public case, not {source!r}")
    resolution = doc.get("resolution")
    if resolution is not None and (not isinstance(resolution, str) or not resolution.strip()):
        raise fail("resolution, when given, must be text")
    if sum(key in doc for key in INPUTS) != 1:
        raise fail("give exactly one of 'files' (member path -> text), 'bundle' (a sample bundle's path) "
                   "and 'ticket' (a ticket's text)")
    ticket = doc.get("ticket")
    if ticket is not None and (not isinstance(ticket, str) or not ticket.strip()):
        raise fail("ticket must be the ticket's text")
    evidence = doc.get("evidence")
    if evidence is not None and not (isinstance(evidence, str) and _WORD.match(evidence)):
        raise fail("evidence must be one lower-case word or hyphenated words (the evidence class)")
    files = _files(doc["files"], fail) if "files" in doc else None
    bundle = _bundle(doc["bundle"], fail) if "bundle" in doc else None
    expect = _expect(doc["expect"], causes, fail)
    folder = PurePosixPath(sid).parts[0] if len(PurePosixPath(sid).parts) > 1 else None
    wanted = HEALTHY if expect.cause is None else expect.cause
    if folder != wanted:
        raise fail(f"a case expecting cause {expect.cause} belongs in the folder {wanted}/")
    return Scenario(sid, path, summary.strip(), source, resolution, files, bundle, expect, evidence, ticket)


def load_all(root: Path, causes: Collection[str]) -> list[Scenario]:
    """Every scenario under ``root``, validated (the first bad file raises ``ScenarioError``)."""
    return [load(p, root, causes) for p in discover(root)]


def load_valid(root: Path, causes: Collection[str]) -> list[Scenario]:
    """The scenarios under ``root`` that validate, leaving out the rest (their own test reports them); safe
    to call while pytest collects, where an exception would stop the whole run."""
    out = []
    for path in discover(root):
        try:
            out.append(load(path, root, causes))
        except ScenarioError:
            pass
    return out


def run(scenario: Scenario, knowledge=None, engine: str | None = None) -> Result:
    """Diagnose the scenario: its ``files`` in memory, its sample bundle from disk, or its ticket by triage."""
    if scenario.ticket is not None:
        return triage(scenario.ticket, [], knowledge or Knowledge.load(), engine=engine).result
    if scenario.bundle is not None:
        return analyze(scenario.bundle, knowledge, engine=engine)
    return analyze_files(scenario.id, scenario.files, knowledge, engine)


def answer(result: Result) -> str:
    """azlog's answer in one line per diagnosis (the first five), for failure messages and reports."""
    if not result.diagnoses:
        return f"os={result.os.label}; no diagnosis"
    lines = [f"os={result.os.label}"]
    for d in result.diagnoses[:5]:
        lines.append(f"  {d.cause} {d.confidence} {d.score:.2f} {d.error_codes}")
    return "\n".join(lines)


def problems(scenario: Scenario, result: Result) -> list[str]:
    """Where ``result`` differs from what the scenario expects (empty: it passes)."""
    want = scenario.expect
    out = []
    top = result.diagnoses[0] if result.diagnoses else None
    if want.cause is None:
        confident = [d.cause for d in result.diagnoses if d.confident]
        if confident:
            out.append(f"expected no diagnosis at medium or high confidence, got {confident}")
    elif top is None:
        out.append(f"expected {want.cause}, got no diagnosis")
    else:
        if top.cause != want.cause:
            out.append(f"expected top cause {want.cause}, got {top.cause}")
        if want.confidence is not None:
            if top.confidence != want.confidence:
                out.append(f"expected confidence {want.confidence}, got {top.confidence}")
        elif not top.confident:
            out.append(f"expected medium or high confidence, got {top.confidence}")
        missing = [c for c in want.codes if c not in top.error_codes]
        if missing:
            out.append(f"error codes {missing} not among the top diagnosis's {top.error_codes}")
    if want.os is not None and result.os.label != want.os:
        out.append(f"expected os {want.os}, got {result.os.label}")
    return out


def check(scenario: Scenario, result: Result) -> None:
    """Assert ``result`` is what the scenario expects; the message names the file and gives azlog's answer."""
    found = problems(scenario, result)
    assert not found, f"{scenario.id}: " + "; ".join(found) + "\nazlog said: " + answer(result)


def _files(value, fail) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise fail("files must map member paths to their text")
    out = {}
    for name, text in value.items():
        if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name \
                or ".." in PurePosixPath(name).parts:
            raise fail(f"member path {name!r} must be relative, with / separators and no '..'")
        if not isinstance(text, str):
            raise fail(f"member {name!r}: its content must be text (a literal block scalar, '|')")
        out[name] = text
    return out


def _bundle(value, fail) -> Path:
    if not isinstance(value, str) or not value or value.startswith("/") or ".." in PurePosixPath(value).parts:
        raise fail(f"bundle must be a path relative to the repository root, not {value!r}")
    path = ROOT / value
    if not path.is_file():
        raise fail(f"bundle {value} does not exist")
    return path


def _expect(value, causes: Collection[str], fail) -> Expect:
    if not isinstance(value, dict):
        raise fail("expect must be a mapping with at least 'cause'")
    unknown = sorted(set(map(str, value)) - EXPECT_KEYS)
    if unknown:
        raise fail(f"unknown keys in expect {unknown} (allowed: {sorted(EXPECT_KEYS)})")
    if "cause" not in value:
        raise fail("expect needs 'cause' (a cause id, or null for a healthy case)")
    cause = value["cause"]
    if cause is not None and (not isinstance(cause, str) or cause not in causes):
        raise fail(f"unknown cause id {cause!r} (signatures/causes.yaml has the ids)")
    codes = value.get("codes", [])
    if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
        raise fail("expect.codes must be a list of error codes")
    confidence = value.get("confidence")
    if confidence is not None and confidence not in CONFIDENCES:
        raise fail(f"expect.confidence must be one of {list(CONFIDENCES)}, not {confidence!r}")
    os_ = value.get("os")
    if os_ is not None and os_ not in OSES:
        raise fail(f"expect.os must be one of {list(OSES)}, not {os_!r}")
    if cause is None and (codes or confidence is not None):
        raise fail("a case with cause null takes no codes or confidence")
    return Expect(cause, tuple(codes), confidence, os_)


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last silently)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, (str, int, float, bool, type(None))):
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
