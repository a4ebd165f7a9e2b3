"""``python -m azlog_vmbackup``: the same as the ``azlog`` command."""
from azlog_vmbackup.entry import main

main()
