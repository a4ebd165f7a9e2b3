"""The known causes nearest to what a bundle's unexplained errors say, when no signature named a cause.

Each unexplained line is compared (rapidfuzz's token sort ratio, imported only here) with what the
knowledge base says of every cause: its signatures' matching examples, the documented messages of the
codes it explains, its title and description. Both sides are reduced to their words
(``knowledge.words``: variable parts and the words every log line has dropped; the knowledge's own from
the table the mirror command writes). A cause some line resembles closely enough is offered, always at
low confidence, with the lines that led there and the text they resembled.
"""
from __future__ import annotations

from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.knowledge.words import said, words
from azlog_vmbackup.core.model import OS, Evidence, Nearest

MIN_SIMILARITY = 70  # rapidfuzz's 0..100; below it a resemblance is mostly chance
MIN_WORDS = 3  # a line of fewer words resembles too much to tell anything
MAX_CAUSES = 3


def knowledge_texts(knowledge: Knowledge) -> list[tuple[str, str, str]]:
    """``(text, cause id, its words)`` for everything the knowledge base says of a cause."""
    texts: list[tuple[str, str]] = []
    for sig in knowledge.signatures:
        if sig.kind == "evidence" and sig.cause:
            texts += [(e, sig.cause) for e in sig.examples.get("match", ()) if isinstance(e, str)]
    for info in knowledge.codes.codes:
        texts += [(m, cause) for m in info.messages for cause in info.causes[:1]]
    for cause in knowledge.causes.values():
        texts += [(cause.title, cause.id), (cause.description or "", cause.id)]
    found = {text: said(text) for text in dict.fromkeys(text for text, _ in texts)}  # each text's words once
    return [(text, cause, found[text]) for text, cause in texts if len(found[text].split()) >= MIN_WORDS]


_INDEXES: dict[int, tuple[Knowledge, list[tuple[str, str, str]], list[str]]] = {}


def _index(knowledge: Knowledge) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``knowledge_texts`` and their words, built once per knowledge base (a batch reuses one for every bundle)."""
    kept = _INDEXES.get(id(knowledge))
    if kept is None or kept[0] is not knowledge:
        texts = knowledge_texts(knowledge)
        kept = _INDEXES[id(knowledge)] = (knowledge, texts, [text_words for _, _, text_words in texts])
    return kept[1], kept[2]


def nearest(lines: list[tuple[int, Evidence]], knowledge: Knowledge, vm: OS = OS.ANY) -> list[Nearest]:
    """Up to ``MAX_CAUSES`` causes of the VM's OS that the unexplained ``lines`` resemble, best first."""
    from rapidfuzz import fuzz, process

    texts, choices = _index(knowledge)
    found: dict[str, Nearest] = {}
    for _, evidence in lines:
        query = words(evidence.text)
        if len(query.split()) < MIN_WORDS:
            continue
        for _, score, index in process.extract(query, choices, scorer=fuzz.token_sort_ratio,
                                                score_cutoff=MIN_SIMILARITY, limit=5):
            text, cause_id, _ = texts[index]
            cause = knowledge.causes[cause_id]
            if not cause.os.applies_to(vm):
                continue
            near = found.setdefault(cause.id, Nearest(cause.id, cause.title, 0.0, text, []))
            if score / 100 > near.similarity:
                near.similarity, near.resembles = round(score / 100, 2), text
            if evidence not in near.evidence:
                near.evidence.append(evidence)
    return sorted(found.values(), key=lambda n: -n.similarity)[:MAX_CAUSES]
