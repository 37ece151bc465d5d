"""Operator tasks on a SQLite database, safe while `wahub serve` writes to it: integrity check and online backup.

Both read through their own connection inside one read transaction: in WAL mode that is a consistent
snapshot which never blocks the server's writer, and the backup copies exactly that snapshot (the server's
later commits go to the WAL, not into the pages being copied, so the copy never restarts).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from adapters.sqlite.connection import unavailable
from adapters.sqlite.errors import StoreUnavailable

BACKUP_STEP_PAGES = 256
Progress = Callable[[int, int], None]
"""Told (pages copied, pages in all) after each step of a backup."""


def integrity_problems(path: Path) -> list[str]:
    """SQLite's full integrity check of the file: empty when sound, else what it found (at most 100 lines)."""
    with _reading(path) as connection:
        found = [row[0] for row in connection.execute("PRAGMA integrity_check(100)")]
    return [] if found == ["ok"] else found


def backup(path: Path, target: Path, progress: Progress | None = None) -> int:
    """Copy the database to `target` (a new file, created readable by the user only); returns its size in bytes.

    The copy is written beside `target` and renamed into place once whole and checked, so `target`
    never holds half a database.
    """
    if target.exists():
        raise FileExistsError(f"{target} already exists; give the backup a new file name")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.incomplete")
    draft.unlink(missing_ok=True)
    os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with _reading(path) as source, closing(sqlite3.connect(draft)) as copy:

            def stepped(_: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)

            source.backup(copy, pages=BACKUP_STEP_PAGES, progress=stepped)
            if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise StoreUnavailable(f"the backup of {path} did not pass SQLite's check; nothing was kept")
        os.replace(draft, target)
    finally:
        draft.unlink(missing_ok=True)
    return target.stat().st_size


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing database inside one read transaction (a snapshot)."""
    if not path.is_file():
        raise StoreUnavailable(f"database {path} does not exist (is --data-dir or WAHUB_DATA_DIR right?)")
    with unavailable(path):
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    with closing(connection), unavailable(path):
        connection.execute("BEGIN")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield connection
