"""The one failure an embedded store reports at open: a file it cannot use, said in one line."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """A database file that cannot be used; the message names it and says why, so the CLI prints it as is."""
