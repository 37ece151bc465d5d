"""Raw webhook POSTs kept in arrival order; lost on restart, which is why production uses a durable inbox."""

from __future__ import annotations

import itertools
from datetime import datetime

from application.records import InboxEvent


class InMemoryInbox:
    def __init__(self) -> None:
        self._events: dict[str, InboxEvent] = {}
        self._processed_at: dict[str, datetime] = {}
        self._numbers = itertools.count(1)

    async def append(self, untrusted_body: bytes, received_at: datetime) -> str:
        """Ids are zero-padded counters: unique, and in arrival order even when compared as text."""
        event_id = f"evt_{next(self._numbers):012d}"
        self._events[event_id] = InboxEvent(id=event_id, untrusted_body=untrusted_body, received_at=received_at)
        return event_id

    async def unprocessed(self, limit: int) -> list[InboxEvent]:
        waiting = (e for e in self._events.values() if e.id not in self._processed_at)
        return sorted(waiting, key=lambda e: (e.received_at, e.id))[:limit]

    async def mark_processed(self, event_id: str, at: datetime) -> None:
        """Marking twice keeps the first time: a replayed event was processed when it first succeeded."""
        if event_id in self._events:
            self._processed_at.setdefault(event_id, at)

    async def prune_processed(self, processed_before: datetime, limit: int) -> int:
        doomed = sorted(i for i, at in self._processed_at.items() if at < processed_before)[: max(limit, 0)]
        for event_id in doomed:
            del self._events[event_id], self._processed_at[event_id]
        return len(doomed)
