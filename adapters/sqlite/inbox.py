"""Raw webhook POSTs, committed (fsync included) before the caller answers Meta, in arrival order.

Appends arriving together share one transaction through the writer's group commit. Sequence
numbers come from AUTOINCREMENT, so an id is never reused, even after old events are pruned.
"""

from __future__ import annotations

from datetime import datetime

from adapters.sqlite.database import Database, Insert
from adapters.sqlite.encoding import from_micros, to_micros
from application.records import InboxEvent

_PREFIX = "evt_"
_APPEND = Insert("inbox", ("untrusted_body", "received_at"))


class SqliteInbox:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def append(self, untrusted_body: bytes, received_at: datetime) -> str:
        """Appends waiting together go in as one multi-row INSERT (seq is INTEGER PRIMARY KEY AUTOINCREMENT)."""
        seq = await self._database.insert(_APPEND, (untrusted_body, to_micros(received_at)))
        return _event_id(seq)

    async def unprocessed(self, limit: int) -> list[InboxEvent]:
        """Oldest first, through the partial index that holds only unprocessed events."""
        query = (
            "SELECT seq, untrusted_body, received_at FROM inbox WHERE processed_at IS NULL "
            "ORDER BY received_at, seq LIMIT ?"
        )
        rows = await self._database.read(lambda c: c.execute(query, (max(limit, 0),)).fetchall())
        return [
            InboxEvent(id=_event_id(seq), untrusted_body=body, received_at=from_micros(at)) for seq, body, at in rows
        ]

    async def mark_processed(self, event_id: str, at: datetime) -> None:
        """Marking twice keeps the first time; an id this inbox never gave changes nothing."""
        seq = _seq(event_id)
        if seq is None:
            return
        await self._database.write(
            lambda c: c.execute(
                "UPDATE inbox SET processed_at = ? WHERE seq = ? AND processed_at IS NULL", (to_micros(at), seq)
            )
        )

    async def prune_processed(self, processed_before: datetime, limit: int) -> int:
        """Oldest first by seq, so the scan stops early: applied POSTs lie at the start of the table."""
        statement = (
            "DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE processed_at IS NOT NULL "
            "AND processed_at < ? ORDER BY seq LIMIT ?)"
        )
        cutoff = to_micros(processed_before)
        return await self._database.write(lambda c: c.execute(statement, (cutoff, max(limit, 0))).rowcount)


def _event_id(seq: int) -> str:
    """Zero-padded, like the other inboxes' ids: unique, and in arrival order even compared as text."""
    return f"{_PREFIX}{seq:012d}"


def _seq(event_id: str) -> int | None:
    digits = event_id.removeprefix(_PREFIX)
    return int(digits) if event_id.startswith(_PREFIX) and digits.isdigit() else None
