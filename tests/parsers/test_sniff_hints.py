"""Each sniffer's ``SNIFF_HINT`` is a necessary condition of its ``sniff``: no text it claims lacks the hint.

The registry asks a parser about unnamed text only when the hint is found in it, so a hint that some claimed
text lacks would change what that text is read as. Checked on every head a bundle member, a scenario or a
real case gives (each member's first 4 KB as the analyzer sniffs it, and each of its first lines alone), and
on every example of each ``sniff`` docstring.
"""
from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest
import yaml

from azlog_vmbackup.core.bundle import Budget, Limits, Member, open_bundle
from azlog_vmbackup.core.text import looks_binary
from azlog_vmbackup.parsers import registry
from tests.helpers import REFERENCE, ROOT

HEAD_BYTES = 4096  # what the analyzer reads to sniff (analyze.SNIFF_BYTES)
LINES = 40  # first lines of each member, each also a head of its own


def _module(name):
    return importlib.import_module(f"azlog_vmbackup.parsers.{name}")


def _texts() -> list[str]:
    """The first 4 KB of every text member of the sample bundles, the scenarios, the real cases and the
    reference fixtures, decoded as the analyzer decodes them."""
    texts = []
    bundles = [p for p in sorted((ROOT / "samples" / "bundles").iterdir()) if p.suffix in (".zip", ".gz", ".log")]
    fixtures = REFERENCE / "vmsnapshot-linux" / "fixtures"
    bundles += sorted(p for p in fixtures.iterdir() if p.is_dir()) if fixtures.is_dir() else []
    for bundle in bundles:
        for entry in open_bundle(bundle, Limits()):
            if isinstance(entry, Member):
                with entry.open(Budget(Limits())) as raw:
                    head = raw.read(HEAD_BYTES)
                if not looks_binary(head):
                    texts.append(head.decode("utf-8", errors="replace"))
    for folder in ("scenarios", "corpus"):
        for case in sorted((ROOT / "tests" / folder).rglob("*.yaml")):
            files = (yaml.safe_load(case.read_text(encoding="utf-8")) or {}).get("files") or {}
            texts += [text.encode("utf-8")[:HEAD_BYTES].decode("utf-8", errors="replace")
                      for text in files.values() if isinstance(text, str)]
    return texts


TEXTS = _texts()
HEADS = TEXTS + [line for text in TEXTS for line in text.splitlines()[:LINES] if line.strip()]


def test_the_heads_are_many_and_every_sniffer_claims_some():
    claimed = {name: sum(1 for head in HEADS if _module(name).sniff(head)) for name in registry.SNIFFERS}
    assert len(TEXTS) > 300
    assert all(claimed.values()), claimed  # each hint is tested on texts its parser does claim


@pytest.mark.parametrize("name", registry.SNIFFERS)
def test_no_head_a_sniffer_claims_lacks_its_hint(name):
    hint = registry._sniff_hint(name)
    assert hint is not None, f"{name}: declare a SNIFF_HINT beside SNIFF_ORDER"
    lacking = [head[:200] for head in HEADS if not hint.search(head) and _module(name).sniff(head)]
    assert lacking == []


@pytest.mark.parametrize("name", registry.SNIFFERS)
def test_no_docstring_example_a_sniffer_claims_lacks_its_hint(name):
    module = _module(name)
    hint = registry._sniff_hint(name)
    seen = []

    def checked(head):
        claimed = module.sniff(head)
        seen.append(head)
        assert not claimed or hint.search(head), head
        return claimed

    examples = doctest.DocTestParser().get_examples(module.sniff.__doc__)
    for example in examples:
        exec(example.source, {**vars(module), "sniff": checked})  # noqa: S102 - the module's own examples
    assert seen and len(seen) >= len(examples)


def test_sniffing_with_hints_names_what_asking_every_sniffer_names():
    def unhinted(head):
        return next((registry._SPEC_OF_PARSER[n] for n in registry.SNIFFERS if _module(n).sniff(head)), registry.TEXT)

    for head in HEADS:
        assert registry.sniff(head) == unhinted(head), head[:200]


def test_text_without_any_hint_imports_no_sniffer():
    """A member such as etc/hostname is asked of no parser: none is imported for it."""
    code = ("import sys, azlog_vmbackup.parsers.registry as r; print(r.sniff('vm-web01\\n').name, "
            "*sorted(m for m in sys.modules if m.startswith('azlog_vmbackup.parsers.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["text", "azlog_vmbackup.parsers.base", "azlog_vmbackup.parsers.registry"]


def test_an_agent_log_under_another_name_imports_only_the_sniffers_asked():
    """The sniffers its hints let through are imported, without the XML library or the readers the serial
    console borrows from other parsers (imported when a console is read)."""
    code = ("import sys, azlog_vmbackup.parsers.registry as r; "
            "print(r.sniff('2024-03-02T10:15:20.100200Z INFO Daemon Daemon Run daemon, pid 7\\n').name, "
            "'lxml' in sys.modules, *sorted(m for m in sys.modules if m.startswith('azlog_vmbackup.parsers.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["waagent_log", "False", *(f"azlog_vmbackup.parsers.{name}" for name in (
        "base", "registry", "serial_console", "waagent_log", "windows_event_export"))]


@pytest.mark.parametrize("name", registry.SNIFFERS)
def test_on_ascii_text_the_re_module_reads_each_hint_as_regex_does(name):
    """Hints of ASCII heads are compiled by re (ASCII mode), which must find them wherever regex does; the
    lines are tried again with each ASCII blank or separator where they have a space."""
    fast, hint = registry._sniff_hint(name, ascii=True), registry._sniff_hint(name)
    lines = [head for head in HEADS if head.isascii() and "\n" not in head.rstrip("\n")]
    texts = [head for head in HEADS if head.isascii()]
    texts += [line.replace(" ", blank) for line in lines for blank in "\t\v\f\r\x1c\x1d\x1e\x1f"]
    assert len(texts) > 1000
    differ = [text[:200] for text in texts if bool(fast.search(text)) != bool(hint.search(text))]
    assert differ == []
