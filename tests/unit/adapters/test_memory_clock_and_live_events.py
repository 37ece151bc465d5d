"""What only the in-memory adapters promise: a hand-moved clock, and a bounded live-event history."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import ManualClock
from adapters.memory.live_events import InMemoryLiveEvents

MONDAY = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def test_the_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(MONDAY)

    clock.advance(timedelta(hours=24))
    clock.advance(30)

    assert clock.now() == MONDAY + timedelta(hours=24, seconds=30)


def test_the_manual_clock_can_be_set_to_any_aware_time() -> None:
    clock = ManualClock(MONDAY)

    clock.set(MONDAY - timedelta(days=1))

    assert clock.now() == MONDAY - timedelta(days=1)


def test_the_manual_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2025, 6, 2, 9, 0))


async def test_only_the_most_recent_live_events_are_retained() -> None:
    live = InMemoryLiveEvents(retained=2)
    for n in range(5):
        await live.publish("message.received", {"n": n})

    subscription = live.subscribe(after=None)
    async with asyncio.timeout(1):
        replayed = [await anext(subscription), await anext(subscription)]

    assert [event.data for event in replayed] == [{"n": 3}, {"n": 4}]
