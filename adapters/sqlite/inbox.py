"""Raw webhook POSTs, committed (fsync included) before the caller answers Meta, in arrival order.

Appends arriving together share one transaction through the writer's group commit. Sequence
numbers come from AUTOINCREMENT, so an id is never reused, even after old events are pruned.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adapters.sqlite.database import Database, Insert
from adapters.sqlite.encoding import from_micros, to_micros
from application.records import InboxEvent, InboxFailure, QuarantinedPost

_PREFIX = "evt_"
_APPEND = Insert("inbox", ("untrusted_body", "received_at"))


class SqliteInbox:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def append(self, untrusted_body: bytes, received_at: datetime) -> str:
        """Appends waiting together go in as one multi-row INSERT (seq is INTEGER PRIMARY KEY AUTOINCREMENT)."""
        seq = await self._database.insert(_APPEND, (untrusted_body, to_micros(received_at)))
        return _event_id(seq)

    async def unprocessed(self, limit: int, due_by: datetime | None = None) -> list[InboxEvent]:
        """Oldest first, through the partial index that holds only pending (unprocessed, unquarantined) events."""
        due = _NEVER if due_by is None else to_micros(due_by)
        query = (
            "SELECT seq, untrusted_body, received_at, attempts FROM inbox "
            "WHERE processed_at IS NULL AND quarantined_at IS NULL AND (retry_at IS NULL OR retry_at <= ?) "
            "ORDER BY received_at, seq LIMIT ?"
        )
        rows = await self._database.read(lambda c: c.execute(query, (due, max(limit, 0))).fetchall())
        return [_event(*row) for row in rows]

    async def get(self, event_id: str) -> InboxEvent | None:
        seq = inbox_seq(event_id)
        if seq is None:
            return None
        query = "SELECT seq, untrusted_body, received_at, attempts FROM inbox WHERE seq = ?"
        row = await self._database.read(lambda c: c.execute(query, (seq,)).fetchone())
        return None if row is None else _event(*row)

    async def mark_processed(self, event_id: str, at: datetime) -> None:
        """Marking twice keeps the first time; an id this inbox never gave changes nothing."""
        seq = inbox_seq(event_id)
        if seq is None:
            return
        await self._database.write(lambda c: mark_processed(c, seq, at))

    async def failed(self, event_id: str, failure: InboxFailure) -> None:
        seq = inbox_seq(event_id)
        if seq is None:
            return
        retry_at = None if failure.retry_at is None else to_micros(failure.retry_at)
        quarantined_at = to_micros(failure.at) if failure.retry_at is None else None
        await self._database.write(
            lambda c: c.execute(
                "UPDATE inbox SET attempts = ?, retry_at = ?, quarantined_at = ?, last_error = ? "
                "WHERE seq = ? AND processed_at IS NULL",
                (failure.attempts, retry_at, quarantined_at, failure.error, seq),
            )
        )

    async def quarantined(self, limit: int) -> list[QuarantinedPost]:
        query = (
            "SELECT seq, received_at, attempts, last_error, quarantined_at, length(untrusted_body) FROM inbox "
            "WHERE processed_at IS NULL AND quarantined_at IS NOT NULL ORDER BY quarantined_at, seq LIMIT ?"
        )
        rows = await self._database.read(lambda c: c.execute(query, (max(limit, 0),)).fetchall())
        return [
            QuarantinedPost(
                id=_event_id(seq),
                received_at=from_micros(received_at),
                attempts=attempts,
                error=error,
                quarantined_at=from_micros(quarantined_at),
                size=size,
            )
            for seq, received_at, attempts, error, quarantined_at, size in rows
        ]

    async def prune_processed(self, processed_before: datetime, limit: int) -> int:
        """Oldest first by seq, so the scan stops early: applied POSTs lie at the start of the table."""
        statement = (
            "DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE processed_at IS NOT NULL "
            "AND processed_at < ? ORDER BY seq LIMIT ?)"
        )
        cutoff = to_micros(processed_before)
        return await self._database.write(lambda c: c.execute(statement, (cutoff, max(limit, 0))).rowcount)


def mark_processed(connection: sqlite3.Connection, seq: int, at: datetime) -> None:
    """Ends a quarantine as well: a POST replayed after a fix is done once it applies."""
    connection.execute(
        "UPDATE inbox SET processed_at = ?, quarantined_at = NULL, retry_at = NULL WHERE seq = ? AND processed_at IS NULL",
        (to_micros(at), seq),
    )


_NEVER = 2**63 - 1


def _event(seq: int, body: bytes, received_at: int, attempts: int) -> InboxEvent:
    return InboxEvent(id=_event_id(seq), untrusted_body=body, received_at=from_micros(received_at), attempts=attempts)


def _event_id(seq: int) -> str:
    """Zero-padded, like the other inboxes' ids: unique, and in arrival order even compared as text."""
    return f"{_PREFIX}{seq:012d}"


def inbox_seq(event_id: str) -> int | None:
    """The row of an inbox id; None for an id this inbox never gave."""
    digits = event_id.removeprefix(_PREFIX)
    return int(digits) if event_id.startswith(_PREFIX) and digits.isdigit() else None
