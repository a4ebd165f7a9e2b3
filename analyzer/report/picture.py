"""The HTML report's timeline picture: records per source over time, warnings and errors marked, the backup
attempts drawn as lines (the failing one highlighted), the top diagnosis's evidence marked; an SVG drawn with
matplotlib (optional: ``pip install '.[html]'``).

``Activity`` is an ``on_record`` sink for ``analyze()`` that keeps, per source, each record's time and level
class, and the backup attempts the extension's status lines record; ``svg(activity, result)`` draws them.

>>> from datetime import datetime, timezone
>>> from azlog_vmbackup.core.model import Record
>>> seen = Activity()
>>> t = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
>>> seen(Record("var/log/waagent.log", 1, "x failed", time=t, level="ERROR"), "waagent_log", [])
>>> seen(Record("extension.log", 9, "Enable,error,121,,False", time=t), "vmsnapshot_log", [])
>>> [kind for _, kind in seen.points["waagent_log"]], [outcome for _, outcome in seen.attempts]
(['error'], ['error'])
"""
from __future__ import annotations

import io
import re
from datetime import datetime

from azlog_vmbackup.core.model import Record, Result

MAX_POINTS = 400_000  # records kept for the picture, all sources together; later ones are counted only
_ATTEMPT = re.compile(r"\b(?:Enable|enable),(success|error|warning),")
_ERRORS = frozenset({"ERROR", "CRITICAL", "FATAL", "Error"})
_WARNINGS = frozenset({"WARNING", "WARN", "Warning"})
COLOURS = {"info": "#9aa5b1", "warning": "#e09b1a", "error": "#d1342f"}


class Activity:
    """Per source, ``(time, level class)`` of each record with a time; the backup attempts and their outcome."""

    def __init__(self) -> None:
        self.points: dict[str, list[tuple[datetime, str]]] = {}
        self.attempts: list[tuple[datetime, str]] = []
        self.kept = 0
        self.dropped = 0

    def __call__(self, record: Record, spec: str, hits) -> None:
        if record.time is None:
            return
        if spec.startswith("vmsnapshot"):
            found = _ATTEMPT.search(record.message)
            if found:
                self.attempts.append((record.time, found[1]))
        if self.kept >= MAX_POINTS:
            self.dropped += 1
            return
        level = record.level or ""
        kind = "error" if level in _ERRORS else "warning" if level in _WARNINGS else "info"
        self.points.setdefault(spec, []).append((record.time, kind))
        self.kept += 1


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def svg(activity: Activity, result: Result) -> str | None:
    """The picture as SVG text; None when there is nothing with a time to draw or matplotlib is missing."""
    if not activity.points or not available():
        return None
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "azlog"  # the same ids run after run
    matplotlib.rcParams["svg.fonttype"] = "none"
    from matplotlib import pyplot as plt

    sources = sorted(activity.points, key=lambda s: -len(activity.points[s]))[:12]
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.45 * len(sources)))
    try:
        for row, source in enumerate(sources):
            for kind in ("info", "warning", "error"):
                times = [t for t, k in activity.points[source] if k == kind]
                if times:
                    ax.scatter(times, [row] * len(times), s=9 if kind == "info" else 22, marker="|",
                               color=COLOURS[kind], label=kind, linewidths=1 if kind == "info" else 2)
        failing = _failing_attempt(activity, result)
        for when, outcome in activity.attempts:
            line = ax.axvline(when, color="#2e7d32" if outcome == "success" else "#d1342f", alpha=0.35, lw=1)
            line.set_gid("backup-attempt")
        if failing is not None:
            marked = ax.axvline(failing, color="#d1342f", lw=3)
            marked.set_gid("failed-attempt")
            ax.annotate("failed backup", (failing, len(sources) - 0.4), color="#d1342f", fontsize=8,
                        xytext=(4, 0), textcoords="offset points")
        top = next((d for d in result.diagnoses if d.confident), None)
        if top is not None:
            times = [e.time for e in top.evidence if e.time is not None]
            if times:
                shown = ax.scatter(times, [-0.7] * len(times), marker="v", color="#6a1b9a", s=36, zorder=3)
                shown.set_gid("evidence")
        ax.set_yticks(range(len(sources)), sources, fontsize=8)
        ax.set_ylim(-1.2, len(sources) - 0.2)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=8)
        fig.autofmt_xdate()
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=False))
        if unique:
            ax.legend(unique.values(), unique.keys(), fontsize=7, loc="upper left", ncols=3, frameon=False,
                      bbox_to_anchor=(0, 1.12))
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg")
    finally:
        plt.close(fig)
    text = out.getvalue()
    return text[text.find("<svg"):]


def _failing_attempt(activity: Activity, result: Result) -> datetime | None:
    """The last backup attempt when it failed: the facts' last attempt, else the last failed status line."""
    status = result.facts.value("last_status")
    when = result.facts.value("last_backup_attempt") or result.facts.value("last_status_time")
    if status not in (None, "success") and isinstance(when, datetime):
        return when
    failed = [t for t, outcome in activity.attempts if outcome == "error"]
    return max(failed) if failed else None
