"""Idempotency-Key bindings; an expired binding is replaced by the next claim."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import from_micros, to_micros
from application.records import CachedResult
from domain.ids import MessageId


class SqliteIdempotencyKeys:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def claim(self, key: str, message_id: MessageId, expires_at: datetime, now: datetime) -> CachedResult:
        """Check and bind on the single writer thread: two racing POSTs with one key get one binding."""

        def check_and_bind(connection: sqlite3.Connection) -> CachedResult:
            bound = connection.execute(
                "SELECT message_id, expires_at FROM idempotency_keys WHERE key = ? AND expires_at > ?",
                (key, to_micros(now)),
            ).fetchone()
            if bound is not None:
                return CachedResult(message_id=MessageId(bound[0]), expires_at=from_micros(bound[1]))
            connection.execute(
                "INSERT OR REPLACE INTO idempotency_keys (key, message_id, expires_at) VALUES (?, ?, ?)",
                (key, message_id, to_micros(expires_at)),
            )
            return CachedResult(message_id=message_id, expires_at=expires_at)

        return await self._database.write(check_and_bind)

    async def prune_expired(self, now: datetime, limit: int) -> int:
        statement = (
            "DELETE FROM idempotency_keys WHERE key IN "
            "(SELECT key FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)"
        )
        return await self._database.write(lambda c: c.execute(statement, (to_micros(now), max(limit, 0))).rowcount)
