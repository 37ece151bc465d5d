"""Live events for dashboards: a bounded history to resume from, and a condition to wake subscribers.

Subscribers hold no registration, only the id of the last event they saw, so a consumer that stops
iterating (or is cancelled) leaves nothing behind to clean up.

Ids start from the process's start time in microseconds rather than from 1, so an id handed out by an
earlier process is always older than anything this one retains: a client resuming across a restart is
told its history is gone (`stream.reset`) instead of silently receiving unrelated events.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator

from application.live import STREAM_RESET, stream_reset_event
from application.records import LiveEvent

DEFAULT_RETAINED = 10_000


class InMemoryLiveEvents:
    def __init__(self, retained: int = DEFAULT_RETAINED, origin: int | None = None) -> None:
        self._retained = retained
        self._events: deque[LiveEvent] = deque(maxlen=retained)
        self._last_id = time.time_ns() // 1_000 if origin is None else origin
        self._published = asyncio.Condition()

    async def publish(self, type: str, data: dict[str, object]) -> LiveEvent:
        async with self._published:
            self._last_id += 1
            event = LiveEvent(id=self._last_id, type=type, data=data)
            self._events.append(event)
            self._published.notify_all()
        return event

    async def subscribe(self, after: int | None) -> AsyncIterator[LiveEvent]:
        """Replays what is retained after `after`, then waits (never polls) for each new publication.

        When what follows `after` is not all here (it was issued before this process started, fell out
        of the bounded history, even while this subscriber lagged, or was never issued) the subscriber
        gets one `stream.reset` event carrying the newest id, then new events.
        """
        seen = self._oldest_resumable() if after is None else after
        while True:
            async with self._published:
                await self._published.wait_for(lambda: self._last_id != seen)
                fresh = self._resumed_after(seen)
            for event in fresh:
                yield event
                seen = event.id

    def _resumed_after(self, seen: int) -> list[LiveEvent]:
        if self._oldest_resumable() <= seen <= self._last_id:
            return self._retained_after(seen)
        reset = stream_reset_event(seen, self._last_id, self._retained)
        return [LiveEvent(id=self._last_id, type=STREAM_RESET, data=reset)]

    def _oldest_resumable(self) -> int:
        """A client may resume after the event just before the oldest retained one, and no earlier."""
        return self._events[0].id - 1 if self._events else self._last_id

    def _retained_after(self, seen: int) -> list[LiveEvent]:
        """Ids are consecutive, so the first unseen event's place is arithmetic, not a scan."""
        if not self._events:
            return []
        start = max(0, seen + 1 - self._events[0].id)
        return list(itertools.islice(self._events, start, None))
