"""The one failure an embedded store reports at open: a file it cannot use, said in one line."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The database file cannot be used as it is; the message names the file and what to do, so the CLI prints it as is."""
