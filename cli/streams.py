"""The command line's standard streams: a reader that goes away early (``azlog ... | head``) ends azlog quietly."""
from __future__ import annotations

import os
import sys


def quiet_exit() -> None:
    """The reader of our output went away: stop quietly, exit 0, and let no later flush complain."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(0)
