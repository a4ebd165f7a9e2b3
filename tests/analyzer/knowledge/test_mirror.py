"""The mirror of the built-in YAML (signatures/knowledge.json): current, exact, and only ever a speed-up."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from azlog_vmbackup.analyzer.knowledge import mirror
from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError, entries
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.core.model import Facts


def test_the_mirror_is_current():
    shipped = json.loads((mirror.builtin_dir() / mirror.NAME).read_text(encoding="utf-8"))
    assert mirror.exact(shipped, mirror.build(mirror.builtin_dir(), mirror.load_yaml)), (
        "a built-in YAML file changed: run python -m azlog_vmbackup.analyzer.knowledge.mirror")


def test_every_builtin_file_is_in_it():
    for path in mirror.builtin_dir().glob("*.yaml"):
        assert mirror.exact(mirror.parsed(path.read_bytes(), None), mirror.load_yaml(path.read_text("utf-8")))


def test_each_call_hands_out_its_own_objects():
    data = (mirror.builtin_dir() / "noise.yaml").read_bytes()
    first, second = mirror.parsed(data), mirror.parsed(data)
    assert first == second and first is not second and first[0] is not second[0]


def test_a_file_it_does_not_hold_is_parsed(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("- id: mine\n  weight: 1\n")
    assert mirror.parsed(path.read_bytes(), None) is None
    assert list(entries(path)) == [(f"{path}: entry 1 (mine)", {"id": "mine", "weight": 1})]
    path.write_text("- id: [unclosed\n")
    with pytest.raises(KnowledgeError, match="mine.yaml: not valid YAML: "):
        list(entries(path))


def test_write_and_what_json_would_not_carry(tmp_path):
    (tmp_path / "mine.yaml").write_text("- id: x\n  weight: 0.5\n  examples: {match: [a]}\n")
    written = json.loads(mirror.write(tmp_path).read_text(encoding="utf-8"))
    assert [f["data"] for f in written["files"].values()] == [
        [{"id": "x", "weight": 0.5, "examples": {"match": ["a"]}}]]
    (tmp_path / "dated.yaml").write_text("- id: x\n  since: 2024-05-14\n")
    with pytest.raises(ValueError, match="dated.yaml: holds data JSON does not carry exactly"):
        mirror.build(tmp_path, mirror.load_yaml)


def _knowledge_without_mirror(monkeypatch) -> Knowledge:
    monkeypatch.setattr(mirror, "_read", dict)
    monkeypatch.setattr(mirror, "_known", None)
    monkeypatch.setattr(mirror, "_unused", {})
    return Knowledge.load()


def test_knowledge_from_the_mirror_is_knowledge_from_the_yaml(monkeypatch):
    fast = Knowledge.load()
    slow = _knowledge_without_mirror(monkeypatch)
    assert fast.causes == slow.causes and fast.codes.codes == slow.codes.codes

    def fields(sig):
        return {**vars(sig), "pattern": sig.pattern and (sig.pattern.pattern, sig.pattern.flags)}

    assert [fields(s) for s in fast.signatures] == [fields(s) for s in slow.signatures]
    assert [s.holds(Facts()) for s in fast.signatures] == [s.holds(Facts()) for s in slow.signatures]


def test_loading_the_builtin_knowledge_imports_no_yaml():
    code = ("import sys; from azlog_vmbackup.analyzer.knowledge.store import Knowledge; k = Knowledge.load(); "
            "print(len(k.signatures), 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) >= 60 and out[1] == "False"


def test_the_literals_table_is_current_and_says_what_deriving_says():
    from azlog_vmbackup.analyzer.knowledge import literals

    shipped = json.loads((mirror.builtin_dir() / literals.TABLE).read_text(encoding="utf-8"))
    assert shipped == mirror.literals_table(mirror.builtin_dir(), mirror.load_yaml), (
        "a built-in regex, literals.py or routine.txt changed: run python -m azlog_vmbackup.analyzer.knowledge.mirror")
    assert shipped["key"] == literals.source_key() and len(shipped["literals"]) > 100
    for regex, found in shipped["literals"].items():
        assert literals.required_literals(regex) == literals.derive(regex) == (None if found is None else tuple(found))
    starts = shipped["starts"]
    assert len(starts) == len(shipped["literals"]) and None in starts.values()
    assert sum(isinstance(chars, str) for chars in starts.values()) > len(starts) // 2
    for key, written in starts.items():
        folded, regex = key.split(" ", 1)
        assert literals.start_chars(regex, folded == "1") == literals.reads_start(regex, folded == "1") == written


def test_the_words_table_is_current_and_holds_every_text_nearest_reads(monkeypatch):
    from azlog_vmbackup.analyzer.apps.nearest import knowledge_texts
    from azlog_vmbackup.analyzer.knowledge import words

    shipped = json.loads((mirror.builtin_dir() / words.TABLE).read_text(encoding="utf-8"))
    assert shipped == mirror.words_table(mirror.builtin_dir(), mirror.load_yaml), (
        "a built-in text, words.py or core/masking.py changed: run python -m azlog_vmbackup.analyzer.knowledge.mirror")
    assert shipped["key"] == words.source_key()
    assert all(found == words.words(text) for text, found in shipped["words"].items())

    def masked(text):
        raise AssertionError(f"not in the table: {text!r}")

    monkeypatch.setattr(words, "words", masked)
    assert len(knowledge_texts(Knowledge.load())) > 200


@pytest.fixture
def fresh_words_table():
    from azlog_vmbackup.analyzer.knowledge import words

    words._written.cache_clear()
    yield words
    words._written.cache_clear()


def test_a_words_table_written_by_other_rules_or_for_other_texts_is_not_used(monkeypatch, fresh_words_table):
    words = fresh_words_table
    text = next(iter(words._written()))  # a built-in text the table holds
    masked = []
    monkeypatch.setattr(words, "words", lambda t: masked.append(t) or "masked")
    assert words.said(text) != "masked" and words.said("a text no knowledge file holds") == "masked"
    words._written.cache_clear()
    monkeypatch.setattr(words, "source_key", lambda: "other rules")
    assert words.said(text) == "masked" and masked == ["a text no knowledge file holds", text]
