"""Live events across a fleet on the real Firestore emulator: published by one process, streamed by another,
resumed from an id on a process that did not hand it out (or started after it did), nothing lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.firestore.live_events import FirestoreLiveEvents
from application.live import STREAM_RESET
from application.records import LiveEvent
from tests.firestore_emulator import PROJECT, firestore_emulator, firestore_stores

__all__ = ["firestore_emulator"]

SETTLE = timedelta(milliseconds=200)
PATIENCE_SECONDS = 30


@pytest.fixture
async def empty_database() -> AsyncIterator[None]:
    async with firestore_stores():
        yield


async def process() -> FirestoreLiveEvents:
    """One process's live events: its own clients, as `wahub serve` opens them."""
    return FirestoreLiveEvents.open(project=PROJECT, settle=SETTLE)


async def take(events: AsyncIterator[LiveEvent], count: int) -> list[LiveEvent]:
    async with asyncio.timeout(PATIENCE_SECONDS):
        return [await anext(events) for _ in range(count)]


async def test_what_one_process_publishes_streams_on_another(empty_database: None) -> None:
    worker, api = await process(), await process()
    try:
        stream = api.subscribe(after=None)
        first = asyncio.create_task(take(stream, 2))
        published = [await worker.publish("message.received", {"text": "hi"}), await api.publish("message.status", {"n": 1})]

        assert await first == published
    finally:
        await worker.close()
        await api.close()


async def test_a_client_resumes_on_a_restarted_process_and_misses_nothing(empty_database: None) -> None:
    """Events published by two processes, interleaved; the client saw some through one process, which then
    went away; it resumes on a process started afterwards."""
    first_api, worker = await process(), await process()
    try:
        stream = first_api.subscribe(after=None)
        published = []
        for n in range(6):
            publisher = worker if n % 2 else first_api
            published.append(await publisher.publish("message.received", {"n": n}))
        seen = await take(stream, 3)
    finally:
        await first_api.close()
    restarted = await process()
    try:
        later = [await worker.publish("message.received", {"n": n}) for n in range(6, 8)]
        resumed = await take(restarted.subscribe(after=seen[-1].id), 5)

        assert seen == published[:3]
        assert resumed == published[3:] + later
        assert STREAM_RESET not in {event.type for event in resumed}
    finally:
        await worker.close()
        await restarted.close()
