"""Raw webhook POSTs kept in arrival order; lost on restart, which is why production uses a durable inbox."""

from __future__ import annotations

import itertools
from datetime import datetime

import msgspec

from adapters.memory.rollback import Restore, saved
from application.records import InboxEvent, InboxFailure, QuarantinedPost


class InMemoryInbox:
    def __init__(self) -> None:
        self._events: dict[str, InboxEvent] = {}
        self._processed_at: dict[str, datetime] = {}
        self._failures: dict[str, InboxFailure] = {}
        self._numbers = itertools.count(1)

    async def append(self, untrusted_body: bytes, received_at: datetime) -> str:
        """Ids are zero-padded counters: unique, and in arrival order even when compared as text."""
        event_id = f"evt_{next(self._numbers):012d}"
        self._events[event_id] = InboxEvent(id=event_id, untrusted_body=untrusted_body, received_at=received_at)
        return event_id

    async def unprocessed(self, limit: int, due_by: datetime | None = None) -> list[InboxEvent]:
        waiting = (e for e in self._events.values() if e.id not in self._processed_at and self._waits(e.id, due_by))
        return sorted(waiting, key=lambda e: (e.received_at, e.id))[:limit]

    def snapshot(self) -> Restore:
        """For the post writer's all-or-nothing: what to call to undo every change made after this."""
        return saved(self._processed_at)

    async def get(self, event_id: str) -> InboxEvent | None:
        return self._events.get(event_id)

    async def mark_processed(self, event_id: str, at: datetime) -> None:
        """Marking twice keeps the first time: a replayed event was processed when it first succeeded."""
        if event_id in self._events:
            self._processed_at.setdefault(event_id, at)

    async def failed(self, event_id: str, failure: InboxFailure) -> None:
        if event_id in self._events and event_id not in self._processed_at:
            self._failures[event_id] = failure
            self._events[event_id] = msgspec.structs.replace(self._events[event_id], attempts=failure.attempts)

    async def quarantined(self, limit: int) -> list[QuarantinedPost]:
        posts = [
            QuarantinedPost(
                id=event.id,
                received_at=event.received_at,
                attempts=failure.attempts,
                error=failure.error,
                quarantined_at=failure.at,
                size=len(event.untrusted_body),
            )
            for event in self._events.values()
            if event.id not in self._processed_at
            and (failure := self._failures.get(event.id)) is not None
            and failure.retry_at is None
        ]
        return sorted(posts, key=lambda p: (p.quarantined_at, p.id))[:limit]

    def _waits(self, event_id: str, due_by: datetime | None) -> bool:
        failure = self._failures.get(event_id)
        if failure is None:
            return True
        if failure.retry_at is None:
            return False
        return due_by is None or failure.retry_at <= due_by
    async def prune_processed(self, processed_before: datetime, limit: int) -> int:
        doomed = sorted(i for i, at in self._processed_at.items() if at < processed_before)[: max(limit, 0)]
        for event_id in doomed:
            del self._events[event_id], self._processed_at[event_id]
        return len(doomed)
