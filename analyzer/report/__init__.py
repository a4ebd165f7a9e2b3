"""Reports of a result: text (rich), JSON (the contract), Markdown, HTML; and what a code or a cause means
(explain, in the first three)."""

FORMATS = ("text", "json", "markdown")
REPORT_FORMATS = (*FORMATS, "html")  # analyze and triage
LEVELS = ("high", "medium", "low")   # --fail-on
LANGS = ("en", "hu")  # languages of titles, remediation and labels in text and markdown (i18n.LABELS)
