"""Opening one connection with wahub's settings, and turning SQLite's refusals into one clear sentence."""

from __future__ import annotations

import os
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
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_private(path)
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


def _create_private(path: Path) -> None:
    """A new database file is created readable by its user only; SQLite gives its WAL and shared-memory
    files the database file's mode, so they are born private too (no chmod afterwards, no window open).
    An empty file is an empty SQLite database."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _configure(connection: sqlite3.Connection) -> None:
    """The journal-mode change is also the first read of the file: a corrupt file fails here."""
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA foreign_keys = ON")
