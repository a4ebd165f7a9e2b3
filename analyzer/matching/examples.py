"""Run a signature's own examples: every ``match`` example must hit it, no ``no_match`` may.

A text example is parsed by the parser of the signature's first source (the
generic text parser when it names none) and goes through a ``Matcher`` holding
the whole signature set, so noise signatures apply as they do on a bundle.
A fact example is a mapping of fact names to values.
"""
from __future__ import annotations

import io

from azlog_vmbackup.analyzer.knowledge.signatures import Signature
from azlog_vmbackup.analyzer.matching.matcher import Matcher
from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import registry
from azlog_vmbackup.parsers.base import ParseContext


def failures(sig: Signature, everything: list[Signature]) -> list[str]:
    """What is wrong with ``sig``'s examples; empty when all behave."""
    out = []
    for expected in ("match", "no_match"):
        for i, example in enumerate(sig.examples.get(expected) or [], 1):
            try:
                hit = _fact_hit(sig, example) if sig.when else _text_hit(sig, example, everything)
            except (TypeError, ValueError) as e:
                out.append(f"{sig.id}: {expected} example {i}: unusable: {e}")
                continue
            if hit != (expected == "match"):
                verb = "does not match" if expected == "match" else "matches"
                out.append(f"{sig.id}: {expected} example {i} {verb}: {str(example)[:160]!r}")
    return out


def _fact_hit(sig: Signature, example) -> bool:
    if not isinstance(example, dict):
        raise TypeError("a fact example must be a mapping of fact names to values")
    facts = Facts()
    for name, value in example.items():
        facts.set(name, value, "(example)")
    return sig.holds(facts)


def _text_hit(sig: Signature, example, everything: list[Signature]) -> bool:
    if isinstance(example, dict):
        spec_name, text = example.get("spec"), example.get("text")
    else:
        spec_name, text = None, example
    if not isinstance(text, str):
        raise TypeError("a text example must be a string or {spec, text}")
    spec = _spec(spec_name or (sig.sources[0] if sig.sources else "text"))
    ctx = ParseContext("(example)", Facts(), [])
    # the whole set (one compiled set for every example on the hyperscan engine); a signature's own hits
    # do not depend on the other evidence signatures, only on the noise ones
    matcher = Matcher([sig] if sig.kind == "noise" else everything)
    for record in registry.parser_module(spec).parse(io.BytesIO(text.encode("utf-8")), ctx):
        matcher.feed(record, spec.name)
    if sig.kind == "noise":
        return matcher.noise > 0
    entry = matcher.found.get(sig.id)
    return entry is not None and entry.fires()


def _spec(name: str) -> registry.Spec:
    for spec in registry.TABLE + (registry.TEXT,):
        if spec.name == name and spec.parser:
            return spec
    raise ValueError(f"unknown source spec {name!r}")
