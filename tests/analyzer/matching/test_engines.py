"""Both matcher engines give the same hits: every signature example, every sample bundle, odd text.

The Hyperscan half is skipped only where the ``hyperscan`` package is not installed.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import engines
from azlog_vmbackup.analyzer.matching.examples import _spec
from azlog_vmbackup.analyzer.matching.hyperscan_pattern import Untranslatable, translate
from azlog_vmbackup.analyzer.matching.matcher import Matcher
from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import registry
from azlog_vmbackup.parsers.base import ParseContext
from tests.helpers import ROOT

BUNDLES = sorted((ROOT / "samples" / "bundles").iterdir())
KNOWLEDGE = Knowledge.load()
SIGNATURES = KNOWLEDGE.signatures
TEXT_SIGNATURES = [s for s in SIGNATURES if not s.when]

try:
    import hyperscan  # noqa: F401
    HAVE_HYPERSCAN = True
except ImportError:
    HAVE_HYPERSCAN = False

needs_hyperscan = pytest.mark.skipif(not HAVE_HYPERSCAN, reason="hyperscan not installed (pip install 'azlog[fast]')")


def _matched(engine_name: str, sigs, spec_name: str, text: str):
    """Per record: the ids it hit; then every signature's count and evidence."""
    spec = _spec(spec_name)
    matcher = Matcher(sigs, engine=engines.get(engine_name))
    ctx = ParseContext("(example)", Facts(), [])
    records = registry.parser_module(spec).parse(io.BytesIO(text.encode("utf-8")), ctx)
    per_record = [matcher.feed(record, spec.name) or [] for record in records]
    found = {sid: (h.count, [h2.evidence for h2 in h.latest], h.fires()) for sid, h in matcher.found.items()}
    return per_record, found, matcher.noise


def _examples(sig):
    for expected in ("match", "no_match"):
        for example in sig.examples.get(expected) or []:
            spec_name, text = ((example.get("spec"), example.get("text")) if isinstance(example, dict)
                               else (None, example))
            yield spec_name or (sig.sources[0] if sig.sources else "text"), text


def _variants(text: str):
    """The example, and shapes of it the engines could disagree on."""
    yield text
    yield text.upper()
    yield text.lower()
    yield text.replace(" ", "\t")
    yield text.replace(" ", "\x1c")
    yield "Zürich ünïcode " + text
    yield text.replace("e", "\u00e9", 1)
    yield text.replace("k", "\u212a")  # KELVIN SIGN folds to k


def test_engine_choice(monkeypatch):
    assert engines.get("regex").name == "regex"
    assert engines.get("regex") is engines.get("regex")  # kept per name: compiled databases are reused
    monkeypatch.setattr(engines, "_default", None)
    monkeypatch.setenv(engines.ENV, "regex")  # the command line's default, not get()'s
    assert engines.get().name == engines.get(engines.AUTO).name == ("hyperscan" if HAVE_HYPERSCAN else "regex")
    with engines.using("regex"):
        assert engines.get().name == "regex"
    with pytest.raises(ValueError):
        engines.get("bogus")


@needs_hyperscan
def test_every_signature_goes_to_hyperscan():
    """Every built-in text signature translates and compiles: none left to the regex path alone."""
    assert engines.get("hyperscan").compile(TEXT_SIGNATURES).always == []


@needs_hyperscan
@pytest.mark.parametrize("sig", TEXT_SIGNATURES, ids=lambda s: s.id)
def test_examples_same_on_both_engines(sig):
    for sigs in ([sig], TEXT_SIGNATURES) if sig.kind == "noise" else (TEXT_SIGNATURES,):
        for spec_name, text in _examples(sig):
            for variant in _variants(text):
                assert _matched("hyperscan", sigs, spec_name, variant) == _matched("regex", sigs, spec_name, variant), \
                    (sig.id, spec_name, variant)


def _run(engine_name: str, bundle: Path):
    rows = []

    def keep(record, spec, hits):
        rows.append((record.path, record.line, spec, hits or []))

    with engines.using(engine_name):
        result = analyze(bundle, KNOWLEDGE, on_record=keep)
    return result.as_dict(), rows


@needs_hyperscan
@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_bundles_same_on_both_engines(bundle):
    fast, fast_rows = _run("hyperscan", bundle)
    slow, slow_rows = _run("regex", bundle)
    assert (fast.pop("engine"), slow.pop("engine")) == ("hyperscan", "regex")  # the one thing that differs
    assert fast_rows == slow_rows
    assert fast["diagnoses"] == slow["diagnoses"]
    assert fast == slow


@needs_hyperscan
@pytest.mark.parametrize("pattern,text", [
    (r"(?i)error\s+\d+", "ERROR 12"), (r"a(?=b)", "ab"), (r"(x)\1", "xx"), (r"^start", "start"),
    (r"end$", "the end\n"), (r"a.{0,500}?b", "a" + "-" * 400 + "b"), (r"(?s)a.b", "a\nb"),
    (r"[^\W\d]+ed\b", "failed"), (r"(?:ab){3}", "ababab"), (r"\bkill\b", "\u212aill"),
    (r"(a)?x(?(1)y|z)", "xz"), (r"(?i)straße", "STRASSE"),
])
def test_translation_never_misses(pattern, text):
    """What Hyperscan scans for reports at least every record the pattern matches."""
    import hyperscan
    import regex

    expected = regex.search(pattern, text) is not None
    if not text.isascii():
        return  # such records take the regex path
    db = hyperscan.Database()
    db.compile(expressions=[translate(pattern)], ids=[0], elements=1,
               flags=[hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_PREFILTER])
    hits = []
    db.scan(text.encode(), match_event_handler=lambda *a: hits.append(a[0]))
    assert bool(hits) or not expected


@pytest.mark.parametrize("pattern", [r"(?:foo){e<=1}", r"[[:alpha:]]+ed", r"[a-z--q]x"])
def test_regex_only_syntax_stays_on_the_regex_path(pattern):
    """Syntax Python's parser would read differently from ``regex`` is not translated (always a candidate)."""
    with pytest.raises(Untranslatable):
        translate(pattern)
