"""Queued sends with leases; a claim selects and leases in one transaction on the single writer."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import from_micros, to_micros
from application.records import OutboxEntry, SendingLease
from domain.ids import CustomerId, MessageId, PhoneNumberId

_DUE = """SELECT message_id, phone_number_id, customer_id, due_at, attempt, called_at FROM outbox
WHERE due_at <= :now AND (lease_until IS NULL OR lease_until <= :now)
ORDER BY due_at, message_id LIMIT :limit"""


class SqliteOutbox:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def enqueue(self, entry: OutboxEntry) -> None:
        """Enqueueing again replaces the entry and ends any lease on it."""
        row = (entry.message_id, entry.phone_number_id, entry.customer_id, to_micros(entry.due_at), entry.attempt)
        await self._database.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO outbox (message_id, phone_number_id, customer_id, due_at, attempt, lease_until, called_at) "
                "VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                row,
            )
        )

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        """Serialised on the writer thread: two dispatchers claiming at once never get the same entry."""
        parameters = {"now": to_micros(now), "limit": max(limit, 0)}
        return await self._database.write(lambda c: _lease(c, parameters, to_micros(lease_until)))

    async def calling(self, message_id: MessageId, at: datetime, lease: SendingLease) -> bool:
        """A SQLite database serves one dispatcher (the worker process), whose leases live in its memory:
        it cannot hold a stale one, so nothing is refused here."""
        await self._database.write(
            lambda c: c.execute("UPDATE outbox SET called_at = ? WHERE message_id = ?", (to_micros(at), message_id))
        )
        return True

    async def reschedule(self, message_id: MessageId, due_at: datetime, attempt: int) -> None:
        await self._database.write(
            lambda c: c.execute(
                "UPDATE outbox SET due_at = ?, attempt = ?, lease_until = NULL, called_at = NULL WHERE message_id = ?",
                (to_micros(due_at), attempt, message_id),
            )
        )

    async def complete(self, message_id: MessageId) -> None:
        await self._database.write(lambda c: c.execute("DELETE FROM outbox WHERE message_id = ?", (message_id,)))

    async def depth(self) -> int:
        """Every entry counts, leased or not: it is all work still to finish."""
        found = await self._database.read(lambda c: c.execute("SELECT count(*) FROM outbox").fetchone())
        depth: int = found[0]
        return depth


def _lease(connection: sqlite3.Connection, parameters: dict[str, int], lease_until: int) -> list[OutboxEntry]:
    rows = connection.execute(_DUE, parameters).fetchall()
    connection.executemany(
        "UPDATE outbox SET lease_until = ? WHERE message_id = ?", [(lease_until, row[0]) for row in rows]
    )
    return [
        OutboxEntry(
            message_id=MessageId(message_id),
            phone_number_id=PhoneNumberId(phone_number_id),
            customer_id=CustomerId(customer_id),
            due_at=from_micros(due_at),
            attempt=attempt,
            called_at=None if called_at is None else from_micros(called_at),
        )
        for message_id, phone_number_id, customer_id, due_at, attempt, called_at in rows
    ]
