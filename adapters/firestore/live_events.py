"""Live events for a fleet: every process publishes to Firestore, every API process streams them all.

Total order, and what `Last-Event-ID` means across processes
------------------------------------------------------------
A client resuming on another process (or after a restart) from id X must get every event it has not
seen. So ids order events the same way on every process, and a stream hands out an id only once every
event before it is in hand:

- **Ids are stamped by the publisher**: its clock in microseconds x 1000 + a suffix drawn once per process
  (so two processes never stamp the same id in practice), each process's ids strictly increasing.
  A central counter would give a perfect order, but at one transaction per event on one document.
- **Each stream releases in id order, `settle` late.** Events arrive through a Firestore listener in commit
  order, which may differ from stamp order by the commit latency plus the clock skew between publishers.
  A stream holds each event until `settle` (1 s) has passed since its stamp on its own clock, then
  releases it and every earlier one, sorted. With commit + listener latency + skew under `settle`, every
  stream releases exactly the same sequence, so "I saw X" means "I have every event up to X" anywhere.
- **Resume** replays what follows X from this process's memory when it reaches back that far, else from
  Firestore (`id > X`, in order), where events are kept a day (`expires_at`, for a TTL policy); an X
  older than what is kept gets `stream.reset`, as in one process.
- **Late events** (held up past `settle`: a stalled publisher, a lagging listener) are released at once
  on arrival, out of order; a client connected then gets them. One that disconnected between the later
  events' release and the late one's arrival, and resumes elsewhere after them, misses it: the failure
  case `settle` bounds (docs/scaling.md).

The listener is the synchronous client's watch (the async client has none), on its own thread; what it
sees is handed to the event loop. It starts with the first subscriber, i.e. with the API's journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import random
import time
from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import document_key
from application.live import STREAM_RESET, stream_reset_event
from application.records import LiveEvent

COLLECTION = "live_events"
SETTLE = timedelta(seconds=1)
KEPT = timedelta(days=1)
DEFAULT_RETAINED = 10_000
REPLAY_LIMIT = 10_000
"""A resume from Firestore replays at most this many events; further back, the client reloads (stream.reset)."""
SUFFIXES = 1000


def stamp_time(event_id: int) -> float:
    """The publisher's clock, in seconds since the epoch, when it stamped `event_id`."""
    return event_id // SUFFIXES / 1_000_000


class FirestoreLiveEvents:
    def __init__(self, client: Any, sync_client: Any, settle: timedelta = SETTLE, retained: int = DEFAULT_RETAINED) -> None:
        self._client = client
        self._events = client.collection(COLLECTION)
        self._sync_client = sync_client
        self._settle = settle.total_seconds()
        self._suffix = random.randrange(SUFFIXES)
        self._last_stamp = 0
        self._memory_from = self._stamp() - int(self._settle * 1_000_000) * SUFFIXES
        """Every event stamped after this that this stream released is in `_released`; earlier ones are in Firestore."""
        self._released: deque[LiveEvent] = deque(maxlen=retained)
        self._count = 0
        """Events released since the start: a subscriber's place in the release order."""
        self._seen: set[int] = set()
        self._pending: list[tuple[int, LiveEvent]] = []
        self._changed = asyncio.Condition()
        self._arrived = asyncio.Event()
        self._watch: Any = None
        self._releasing: asyncio.Task[None] | None = None

    @classmethod
    def open(cls, *, project: str, database: str = "(default)", settle: timedelta = SETTLE) -> FirestoreLiveEvents:
        """Its own clients (they read FIRESTORE_EMULATOR_HOST): the async one publishes, the sync one listens."""
        return cls(
            firestore.AsyncClient(project=project, database=database),
            firestore.Client(project=project, database=database),
            settle,
        )

    async def publish(self, type: str, data: dict[str, object]) -> LiveEvent:
        event = LiveEvent(id=self._stamp(), type=type, data=data)
        expires_at = datetime.fromtimestamp(stamp_time(event.id), UTC) + KEPT
        fields = {"id": event.id, "type": type, "data": msgspec.json.encode(data).decode(), "expires_at": expires_at}
        await self._events.document(document_key(str(event.id))).create(fields)
        return event

    async def subscribe(self, after: int | None) -> AsyncIterator[LiveEvent]:
        """What follows `after` (from Firestore where this process's memory does not reach back that far, then
        from memory), then each event as this process releases it."""
        self._follow()
        async with self._changed:
            place = self._count
            memory_from = self._memory_from
            seen = memory_from if after is None else after
            held = [event for event in self._released if event.id > max(seen, memory_from)]
        if seen < memory_from:
            replayed = await self._replay(seen, memory_from)
            if replayed is None:
                yield self._reset(seen)
                held = []
            else:
                held = replayed + held
        for event in held:
            yield event
            seen = max(seen, event.id)
        while True:
            async with self._changed:
                await self._changed.wait_for(lambda: self._count > place)
                behind = self._count - place
                if behind > len(self._released):
                    fresh = [self._reset(self._released[0].id)]
                    place = self._count
                else:
                    fresh = list(self._released)[len(self._released) - behind :]
                    place = self._count
            for event in fresh:
                if event.id > seen:  # a stream that releases a little behind the client's last one: skip what it has
                    yield event

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.unsubscribe()
            self._watch = None
        if self._releasing is not None:
            self._releasing.cancel()
            await asyncio.gather(self._releasing, return_exceptions=True)
        await self._client._firestore_api.transport.close()
        self._sync_client.close()

    def _reset(self, seen: int) -> LiveEvent:
        resumes_after = self._released[-1].id if self._released else self._memory_from
        return LiveEvent(id=resumes_after, type=STREAM_RESET, data=stream_reset_event(seen, resumes_after, REPLAY_LIMIT))

    def _stamp(self) -> int:
        micros = max(time.time_ns() // 1000, self._last_stamp + 1)
        self._last_stamp = micros
        return micros * SUFFIXES + self._suffix

    def _follow(self) -> None:
        """Start the listener once, from where this stream's memory begins."""
        if self._watch is not None:
            return
        loop = asyncio.get_running_loop()
        query = self._sync_client.collection(COLLECTION).where(filter=FieldFilter("id", ">", self._memory_from))

        def on_snapshot(_: Any, changes: Any, __: Any) -> None:
            added = [change.document.to_dict() for change in changes if change.type.name == "ADDED"]
            if added:
                loop.call_soon_threadsafe(self._receive, added)

        self._watch = query.on_snapshot(on_snapshot)
        self._releasing = asyncio.create_task(self._release_forever(), name="live events release")

    def _receive(self, documents: list[dict[str, Any]]) -> None:
        for document in documents:
            event = _event(document)
            if event.id not in self._seen:
                self._seen.add(event.id)
                heapq.heappush(self._pending, (event.id, event))
        self._arrived.set()

    async def _release_forever(self) -> None:
        """Each pending event once `settle` has passed since its stamp, and every earlier one with it, in id order."""
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while self._pending:
                wait = stamp_time(self._pending[0][0]) + self._settle - time.time()
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._arrived.wait(), wait)
                    self._arrived.clear()
                    continue
                await self._release(time.time() - self._settle)

    async def _release(self, settled_before: float) -> None:
        async with self._changed:
            while self._pending and stamp_time(self._pending[0][0]) <= settled_before:
                _, event = heapq.heappop(self._pending)
                if len(self._released) == self._released.maxlen:
                    self._memory_from = max(self._memory_from, self._released[0].id)
                self._released.append(event)
                self._count += 1
            if len(self._seen) > 2 * (self._released.maxlen or DEFAULT_RETAINED):
                self._seen = {event_id for event_id in self._seen if event_id > self._memory_from}
            self._changed.notify_all()

    async def _replay(self, after: int, until: int) -> list[LiveEvent] | None:
        """Stored events after `after` up to `until`, in id order; None when the store no longer reaches back to
        `after` (kept a day) or there are too many to replay."""
        kept_since = (time.time_ns() // 1000 - int(KEPT.total_seconds() * 1_000_000)) * SUFFIXES
        if after < kept_since:
            return None
        query = (
            self._events.where(filter=FieldFilter("id", ">", after))
            .where(filter=FieldFilter("id", "<=", until))
            .order_by("id")
            .limit(REPLAY_LIMIT + 1)
        )
        found = [_event(snapshot.to_dict()) async for snapshot in query.stream()]
        return None if len(found) > REPLAY_LIMIT else found


def _event(document: dict[str, Any]) -> LiveEvent:
    return LiveEvent(id=document["id"], type=document["type"], data=msgspec.json.decode(document["data"]))
