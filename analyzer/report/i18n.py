"""Report wording in English and Hungarian: the labels, and diagnoses with the cause's own translation."""
from __future__ import annotations

from dataclasses import replace

from azlog_vmbackup.analyzer.knowledge import steps
from azlog_vmbackup.analyzer.knowledge.causes import Cause
from azlog_vmbackup.core.model import Diagnosis

LABELS = {
    "en": {
        "diagnosis": "Diagnosis", "codes": "Error codes", "evidence": "Evidence", "todo": "What to do",
        "references": "References", "others": "Other candidates", "facts": "Facts", "bundle": "Bundle",
        "none": "No known failure cause found.",
        "weak": "No cause found with medium or high confidence; weak signs below.",
        "more": "more (see --format json)", "parsed": "members parsed", "skipped": "skipped", "problems": "problems",
        "problem": "problem", "triage": "Triage", "route": "Route", "summary": "Summary", "missing": "Ask for",
        "confidence": {"high": "HIGH", "medium": "MEDIUM", "low": "LOW"},
        "message": "Message", "causes": "Possible causes", "collect": "Evidence to collect", "status": "Status",
        "history": "History", "reference": "Reference", "explains": "Error codes it explains",
        "engine": "matching engine", "resolved": "resolved: the backup at {time} succeeded after this",
        "no_logs": "This bundle holds no agent, backup-extension or system logs, so it cannot show why a backup "
                   "failed; it is not a sign of a healthy VM.",
        "not_in_bundle": "Not in this bundle (ask for it)",
        "unexplained": "Errors no signature explains (most frequent first)",
        "nearest": "Nearest known causes (LOW: by resemblance, not proof)", "resembles": "resembles",
        "lang": "en", "host": "Host", "os": "OS", "agent": "Agent", "extension": "Backup extension",
        "last_attempt": "Last backup attempt", "result": "result", "present": "Evidence in the bundle",
        "absent": "missing", "local": "(VM local time)", "fact": "fact", "from": "from",
        "tie": "Tie: {other} scored as high; the evidence cannot tell them apart, check both.",
        "member_parsed": ("member parsed", "members parsed"), "member_skipped": ("skipped", "skipped"),
        "problem_word": ("problem", "problems"), "inventory": "Inventory", "read_as": "read as",
        "groups": {"agent": "Agent", "extension": "Extension", "network": "Network", "os": "OS",
                   "status": "Last status", "other": "Other"},
        "os_groups": {"linux": "Linux", "windows": "Windows", "any": "Either"},
        "why": "Why these scores (--explain)", "contribution": "contribution", "weight": "weight",
        "recency": "recency", "hit": ("hit", "hits"), "near_misses": "Signatures that almost fired",
        "timeline": "Timeline", "no_context": "(the lines around it could not be read again)",
        "no_picture": "No timeline picture: no record with a time, or matplotlib is not installed",
    },
    "hu": {
        "diagnosis": "Diagnózis", "codes": "Hibakódok", "evidence": "Bizonyítékok", "todo": "Teendők",
        "references": "Hivatkozások", "others": "További lehetséges okok", "facts": "Tények", "bundle": "Csomag",
        "none": "Nem található ismert hibaok.",
        "weak": "Közepes vagy magas megbízhatóságú ok nem található; gyenge jelek alább.",
        "more": "további (lásd --format json)", "parsed": "fájl feldolgozva", "skipped": "kihagyva", "problems": "hiba",
        "problem": "hiba", "triage": "Előszűrés", "route": "Irány", "summary": "Összegzés", "missing": "Kérje be",
        "confidence": {"high": "MAGAS", "medium": "KÖZEPES", "low": "ALACSONY"},
        "message": "Üzenet", "causes": "Lehetséges okok", "collect": "Begyűjtendő bizonyítékok", "status": "Állapot",
        "history": "Előzmények", "reference": "Hivatkozás", "explains": "Az általa magyarázott hibakódok",
        "engine": "illesztőmotor", "resolved": "megoldódott: a(z) {time} mentés ezután sikeres volt",
        "no_logs": "A csomagban nincs ügynök-, mentésibővítmény- vagy rendszernapló, ezért nem mutathatja meg, "
                   "miért hiúsult meg a mentés; ez nem jele annak, hogy a VM rendben van.",
        "not_in_bundle": "Nincs a csomagban (kérje be)",
        "unexplained": "Hibák, amelyeket egy minta sem magyaráz (a leggyakoribb elöl)",
        "nearest": "Legközelebbi ismert okok (ALACSONY: hasonlóság, nem bizonyíték)", "resembles": "hasonlít erre",
        "lang": "hu", "host": "Gép", "os": "OS", "agent": "Ügynök", "extension": "Mentési bővítmény",
        "last_attempt": "Utolsó mentési kísérlet", "result": "eredmény", "present": "A csomagban lévő bizonyítékok",
        "absent": "hiányzik", "local": "(a VM helyi ideje)", "fact": "tény", "from": "forrás:",
        "tie": "Holtverseny: {other} ugyanilyen pontszámot kapott; a bizonyítékok nem döntik el, "
               "ellenőrizze mindkettőt.",
        "member_parsed": ("fájl feldolgozva", "fájl feldolgozva"), "member_skipped": ("kihagyva", "kihagyva"),
        "problem_word": ("hiba", "hiba"), "inventory": "Tartalom", "read_as": "értelmezés",
        "groups": {"agent": "Ügynök", "extension": "Bővítmény", "network": "Hálózat", "os": "Operációs rendszer",
                   "status": "Utolsó állapot", "other": "Egyéb"},
        "os_groups": {"linux": "Linux", "windows": "Windows", "any": "Bármelyik"},
        "why": "A pontszámok indoklása (--explain)", "contribution": "hozzájárulás", "weight": "súly",
        "recency": "frissesség", "hit": ("találat", "találat"), "near_misses": "Majdnem illeszkedő minták",
        "timeline": "Idővonal", "no_context": "(a környező sorok nem olvashatók újra)",
        "no_picture": "Nincs idővonal-ábra: nincs időbélyeges rekord, vagy nincs telepítve a matplotlib",
    },
}


def count(n: int, forms: tuple[str, str], lang: str = "en") -> str:
    """``n`` and the word in the right number (Hungarian keeps the singular after a numeral).

    >>> count(1, ("member", "members")), count(3, ("member", "members")), count(3, ("fájl", "fájlok"), "hu")
    ('1 member', '3 members', '3 fájl')
    """
    return f"{n} {forms[0] if n == 1 or lang == 'hu' else forms[1]}"


def localize(diagnoses: list[Diagnosis], causes: dict[str, Cause], lang: str) -> list[Diagnosis]:
    """The diagnoses with the cause's title and remediation steps in ``lang``."""
    if lang == "en":
        return diagnoses
    out = []
    for d in diagnoses:
        cause = causes.get(d.cause)
        if cause is None:
            out.append(d)
            continue
        title, _, texts = cause.text(lang)
        out.append(replace(d, title=title, remediation=[steps.fill(t, d.values) for t in texts]))
    return out
