"""One SQLite file: a single writer thread that commits in groups, and a few reader connections.

All blocking calls leave the event loop. Every write runs on the one writer thread, so writes are
serialised and a read-modify-write (`update(change)`) is atomic without locks. The writer takes every
write waiting when it wakes and commits them in one transaction (group commit): the webhook path
appends thousands of inbox events a second, and one fsync then serves them all. Each write runs in
its own savepoint, so one failing write fails alone; every caller hears back only after the commit.

Callers wait on a plain asyncio future of their own loop, and the writer answers a whole group with
one `call_soon_threadsafe` per loop: one wake-up of the event loop per commit, not one per write
(a concurrent.futures.Future per write, chained by `wrap_future`, cost the webhook path about a
tenth of its CPU).

Appends (`insert`: one row into one table, the webhook's inbox) waiting side by side in a group go
in as multi-row INSERTs, in arrival order: one statement, and one release of the GIL, for many rows,
where each `execute` of a separate write hands the GIL to the event loop and waits to get it back.

synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss, and the webhook
contract is "stored durably before Meta gets its 200". Group commit pays for the extra fsync.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from adapters.sqlite.connection import connect, unavailable
from adapters.sqlite.errors import StoreUnavailable
from adapters.sqlite.schema import migrate

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]


@dataclass(frozen=True)
class Insert:
    """`INSERT INTO table (columns) VALUES (...)`, for rows that may be stored together."""

    table: str
    columns: tuple[str, ...]
    _statements: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    def statement(self, rows: int) -> str:
        """Built once per row count; counts are powers of two, so SQLite's statement cache keeps them all."""
        if rows not in self._statements:
            values = "(" + ", ".join("?" * len(self.columns)) + ")"
            columns = ", ".join(self.columns)
            self._statements[rows] = f"INSERT INTO {self.table} ({columns}) VALUES " + ", ".join([values] * rows)
        return self._statements[rows]


@dataclass(frozen=True, slots=True)
class Row:
    insert: Insert
    values: tuple[Any, ...]


Job = tuple["Work | Row", "asyncio.Future[Any]"]
Outcome = tuple["asyncio.Future[Any]", Any, Exception | None]

MAX_GROUP = 1000
"""Writes committed together at most: bounds how long the first caller of a burst waits."""

READERS = 2


class Database:
    def __init__(self, path: Path, writer: sqlite3.Connection, readers: list[sqlite3.Connection]) -> None:
        self.path = path
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._writer = writer
        self._writer_thread = threading.Thread(target=self._write_groups, name=f"sqlite-writer {path}", daemon=True)
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        for reader in readers:
            self._readers.put(reader)
        self._reader_count = len(readers)
        self._reader_threads = ThreadPoolExecutor(max_workers=len(readers), thread_name_prefix="sqlite-reader")
        self._closed = False
        self.commits = 0
        """Transactions the writer committed (or rolled back): what costs an fsync, read by benches and tests."""
        self.writes = 0
        """Writes asked of the writer; `writes / commits` is how many each commit carried."""
        self._writer_thread.start()

    @classmethod
    def open(cls, path: Path) -> Database:
        """Blocking: call from a thread. Raises StoreUnavailable, with the file named, for any file it cannot use."""
        writer = connect(path)
        try:
            with unavailable(path):
                writer.execute("PRAGMA synchronous = FULL")
                migrate(writer, path)
            readers = [connect(path) for _ in range(READERS)]
        except BaseException:
            writer.close()
            raise
        return cls(path, writer, readers)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the writer thread inside a transaction; returns once that transaction is committed.

        A caller cancelled after its write has started still has it committed, as with any database.
        """
        self._refuse_when_closed()
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._jobs.put((work, done))
        return await done

    async def insert(self, insert: Insert, values: tuple[Any, ...]) -> int:
        """Insert one row and return its rowid once committed; rows inserted together share statements.

        The table must give rowids in insertion order with no gaps inside one statement, as an
        INTEGER PRIMARY KEY (AUTOINCREMENT or not) does under this single writer.
        """
        self._refuse_when_closed()
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._jobs.put((Row(insert, values), done))
        return await done

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on a reader connection; it sees every write whose caller has been answered."""
        self._refuse_when_closed()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader_threads, self._read_with, work)

    async def close(self) -> None:
        """Finish every write already asked for, then close every connection; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        await asyncio.to_thread(self._writer_thread.join)
        self._reader_threads.shutdown(wait=True)
        for _ in range(self._reader_count):
            self._readers.get().close()

    def _refuse_when_closed(self) -> None:
        """A write queued after close would wait forever for a writer that has gone."""
        if self._closed:
            raise StoreUnavailable(f"database {self.path} is closed")

    def _read_with(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._readers.get()
        try:
            return work(connection)
        finally:
            self._readers.put(connection)

    def _write_groups(self) -> None:
        stopping = False
        while not stopping:
            group, stopping = self._next_group()
            if group:
                self.commits += 1  # counted before the callers are answered, so they read their own commit
                self.writes += len(group)
                _commit_group(self._writer, group)
        try:
            self._writer.executescript("PRAGMA analysis_limit = 1000; PRAGMA optimize;")
        finally:
            self._writer.close()

    def _next_group(self) -> tuple[list[Job], bool]:
        """Block for one write, then take whatever else is already waiting."""
        first = self._jobs.get()
        if first is None:
            return [], True
        group = [first]
        while len(group) < MAX_GROUP:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return group, True
            group.append(job)
        return group, False


def _commit_group(connection: sqlite3.Connection, group: list[Job]) -> None:
    """A caller cancelled before the group starts is skipped; once started, its write is committed."""
    outcomes: list[Outcome] = []
    try:
        connection.execute("BEGIN IMMEDIATE")
        rows: list[tuple[Row, asyncio.Future[Any]]] = []
        for work, done in group:
            if done.cancelled():
                continue
            if isinstance(work, Row):
                if rows and rows[0][0].insert is not work.insert:
                    outcomes += _insert_rows(connection, rows)
                    rows = []
                rows.append((work, done))
                continue
            if rows:
                outcomes += _insert_rows(connection, rows)
                rows = []
            outcomes.append((done, *_run_in_savepoint(connection, work)))
        if rows:
            outcomes += _insert_rows(connection, rows)
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        outcomes = [(done, None, error) for _, done in group]  # nothing of the group was stored
    _answer(outcomes)


def _insert_rows(connection: sqlite3.Connection, rows: list[tuple[Row, asyncio.Future[Any]]]) -> list[Outcome]:
    """Largest powers of two first (37 rows: 32 + 4 + 1); a chunk that fails is retried row by row, so a bad row fails alone."""
    outcomes: list[Outcome] = []
    start = 0
    while start < len(rows):
        size = 1 << ((len(rows) - start).bit_length() - 1)
        chunk = rows[start : start + size]
        start += size
        insert = chunk[0][0].insert
        values = [value for row, _ in chunk for value in row.values]
        last, error = _run_in_savepoint(connection, lambda c: c.execute(insert.statement(size), values).lastrowid)
        if error is None:
            first = int(last) - size + 1
            outcomes += [(done, first + n, None) for n, (_, done) in enumerate(chunk)]
        elif size == 1:
            outcomes.append((chunk[0][1], None, error))
        else:
            for one in chunk:
                outcomes += _insert_rows(connection, [one])
    return outcomes


def _run_in_savepoint(connection: sqlite3.Connection, work: Work) -> tuple[Any, Exception | None]:
    connection.execute("SAVEPOINT job")
    try:
        value = work(connection)
    except Exception as error:
        connection.execute("ROLLBACK TO job")
        connection.execute("RELEASE job")
        return None, error
    connection.execute("RELEASE job")
    return value, None


def _answer(outcomes: list[Outcome]) -> None:
    """From the writer thread: one call into each waiting loop settles all of its callers in the group."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].get_loop(), []).append(outcome)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # that loop is closed: nobody is left waiting there
            pass


def _settle(outcomes: list[Outcome]) -> None:
    """On the caller's loop; a caller cancelled meanwhile no longer listens (its write stands)."""
    for done, value, error in outcomes:
        if done.cancelled():
            continue
        if error is None:
            done.set_result(value)
        else:
            done.set_exception(error)
