"""Live events for dashboards: a bounded history to resume from, and a condition to wake subscribers.

Subscribers hold no registration, only the id of the last event they saw, so a consumer that stops
iterating (or is cancelled) leaves nothing behind to clean up.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator

from application.records import LiveEvent

DEFAULT_RETAINED = 10_000


class InMemoryLiveEvents:
    def __init__(self, retained: int = DEFAULT_RETAINED) -> None:
        self._events: deque[LiveEvent] = deque(maxlen=retained)
        self._last_id = 0
        self._published = asyncio.Condition()

    async def publish(self, type: str, data: dict[str, object]) -> LiveEvent:
        async with self._published:
            self._last_id += 1
            event = LiveEvent(id=self._last_id, type=type, data=data)
            self._events.append(event)
            self._published.notify_all()
        return event

    async def subscribe(self, after: int | None) -> AsyncIterator[LiveEvent]:
        """Replays what is retained after `after`, then waits (never polls) for each new publication."""
        seen = 0 if after is None else after
        while True:
            async with self._published:
                await self._published.wait_for(lambda: self._last_id > seen)
                fresh = self._retained_after(seen)
            for event in fresh:
                yield event
                seen = event.id

    def _retained_after(self, seen: int) -> list[LiveEvent]:
        """Ids are consecutive, so the first unseen event's place is arithmetic, not a scan."""
        if not self._events:
            return []
        start = max(0, seen + 1 - self._events[0].id)
        return list(itertools.islice(self._events, start, None))
