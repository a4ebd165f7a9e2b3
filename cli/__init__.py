"""azlog: why an Azure VM backup failed, from the guest log bundle the customer sent.

The import package of the ``azlog-vmbackup`` distribution. Its parts, bottom to
top (docs/ARCHITECTURE.md): ``core`` (records, facts, bundle reader, text
helpers), ``parsers`` (one per format, and the path table), ``analyzer``
(knowledge, matching, ranking, reports, applications), and here the command
line (``entry``, ``commands``, ``actions``).
"""

__version__ = "0.2.0"
