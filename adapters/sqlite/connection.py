"""Opening one connection with wahub's settings, and turning SQLite's refusals into one clear sentence."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapters.sqlite.errors import StoreUnavailable

BUSY_TIMEOUT_MS = 5000

_REASONS = {
    "SQLITE_NOTADB": "is not a wahub SQLite database or is corrupt",
    "SQLITE_CORRUPT": "is not a wahub SQLite database or is corrupt",
    "SQLITE_CANTOPEN": "cannot be opened (check that the path and its directory are readable and writable)",
    "SQLITE_READONLY": "is read-only; wahub needs to write to it",
    "SQLITE_BUSY": "is locked by another process",
    "SQLITE_PERM": "cannot be opened: permission denied",
}


@contextmanager
def unavailable(path: Path) -> Iterator[None]:
    """Any SQLite error while opening names the file and the reason, instead of a traceback."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        reason = _REASONS.get(getattr(error, "sqlite_errorname", ""), "cannot be used")
        raise StoreUnavailable(f"database {path} {reason}: {error}") from error


def connect(path: Path) -> sqlite3.Connection:
    """Autocommit mode: transactions are begun and ended explicitly, never implicitly by the driver."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailable(f"database {path} cannot be created: {error}") from error
    with unavailable(path):
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            _configure(connection)
        except BaseException:
            connection.close()
            raise
    return connection


def _configure(connection: sqlite3.Connection) -> None:
    """The journal-mode change is also the first read of the file: a corrupt file fails here."""
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA foreign_keys = ON")
