"""LiveEvents contract: increasing ids, resumable subscriptions, and every subscriber sees every event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from application.ports import LiveEvents
from application.records import LiveEvent

PATIENCE_SECONDS = 2


async def take(events: AsyncIterator[LiveEvent], count: int) -> list[LiveEvent]:
    async with asyncio.timeout(PATIENCE_SECONDS):
        return [await anext(events) for _ in range(count)]


async def publish_messages(live_events: LiveEvents, *texts: str) -> list[LiveEvent]:
    return [await live_events.publish("message.received", {"text": text}) for text in texts]


async def test_published_events_get_increasing_ids(live_events: LiveEvents) -> None:
    published = await publish_messages(live_events, "hi", "where is my order?", "thanks")

    ids = [event.id for event in published]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_a_subscriber_from_the_start_gets_every_retained_event(live_events: LiveEvents) -> None:
    published = await publish_messages(live_events, "hi", "thanks")

    assert await take(live_events.subscribe(after=None), 2) == published


async def test_resuming_after_an_id_replays_what_was_missed_then_streams_new_events(live_events: LiveEvents) -> None:
    seen, missed = await publish_messages(live_events, "hi", "where is my order?")
    subscription = live_events.subscribe(after=seen.id)

    replayed = await take(subscription, 1)
    later = asyncio.create_task(take(subscription, 1))
    await asyncio.sleep(0.01)
    [new] = await publish_messages(live_events, "thanks")

    assert replayed == [missed]
    assert await later == [new]


async def test_every_subscriber_receives_every_new_event(live_events: LiveEvents) -> None:
    [before] = await publish_messages(live_events, "hi")
    listeners = [asyncio.create_task(take(live_events.subscribe(after=before.id), 2)) for _ in range(2)]
    await asyncio.sleep(0.01)

    published = await publish_messages(live_events, "where is my order?", "thanks")

    assert await asyncio.gather(*listeners) == [published, published]


async def test_a_subscriber_that_stops_listening_does_not_hold_up_publishing(live_events: LiveEvents) -> None:
    await publish_messages(live_events, "hi")
    async for _ in live_events.subscribe(after=None):
        break

    async with asyncio.timeout(PATIENCE_SECONDS):
        published = await asyncio.gather(*(live_events.publish("message.received", {"text": f"message {n}"}) for n in range(20)))

    assert await take(live_events.subscribe(after=published[-2].id), 1) == published[-1:]
