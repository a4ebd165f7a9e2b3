"""``azlog serve``: the HTTP service (``app``), its analysis workers (``pool``, ``jobs``), the upload cap
(``limits``) and the response schemas of the JSON contract (``schemas``)."""
