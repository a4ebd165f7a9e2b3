"""Reports of a result: text (rich), JSON (the contract), markdown; and what a code or a cause means (explain)."""

FORMATS = ("text", "json", "markdown")
LANGS = ("en", "hu")  # languages of titles, remediation and labels in text and markdown (i18n.LABELS)
