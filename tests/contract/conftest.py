"""Every store port's contract runs against every adapter listed here.

To add an adapter, append one entry to STORE_FACTORIES (or LIVE_EVENTS_FACTORIES): an async context
manager that yields a fresh, empty set of stores and cleans up after the test.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.firestore.live_events import FirestoreLiveEvents
from adapters.memory import MemoryStores
from adapters.memory.live_events import InMemoryLiveEvents
from adapters.sqlite import open_sqlite_stores
from application.ports import (
    ApiKeyStore,
    ConversationStore,
    IdempotencyKeys,
    Inbox,
    LiveEvents,
    MediaStore,
    MessageStore,
    Outbox,
    Stores,
    TemplateStore,
)
from tests.firestore_emulator import PROJECT, firestore_emulator, firestore_stores  # noqa: F401  (session fixture)


@asynccontextmanager
async def memory_stores() -> AsyncIterator[Stores]:
    yield MemoryStores()


@asynccontextmanager
async def memory_live_events() -> AsyncIterator[LiveEvents]:
    yield InMemoryLiveEvents()


@asynccontextmanager
async def sqlite_stores() -> AsyncIterator[Stores]:
    with tempfile.TemporaryDirectory() as directory:
        opened = await open_sqlite_stores(Path(directory) / "wahub.db")
        try:
            yield opened
        finally:
            await opened.close()


STORE_FACTORIES: dict[str, Callable[[], AbstractAsyncContextManager[Stores]]] = {
    "memory": memory_stores,
    "sqlite": sqlite_stores,
    "firestore": firestore_stores,
}

@asynccontextmanager
async def firestore_live_events() -> AsyncIterator[LiveEvents]:
    """Settling a little faster than in production: the emulator is on loopback, the publishers in this process."""
    async with firestore_stores():  # an empty database, and the emulator running
        live = FirestoreLiveEvents.open(project=PROJECT, settle=timedelta(milliseconds=200))
        try:
            yield live
        finally:
            await live.close()


LIVE_EVENTS_FACTORIES: dict[str, Callable[[], AbstractAsyncContextManager[LiveEvents]]] = {
    "memory": memory_live_events,
    "firestore": firestore_live_events,
}


@pytest.fixture(params=list(STORE_FACTORIES))
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    async with STORE_FACTORIES[request.param]() as fresh:
        yield fresh


@pytest.fixture(params=list(LIVE_EVENTS_FACTORIES))
async def live_events(request: pytest.FixtureRequest) -> AsyncIterator[LiveEvents]:
    async with LIVE_EVENTS_FACTORIES[request.param]() as fresh:
        yield fresh


@pytest.fixture
def message_store(stores: Stores) -> MessageStore:
    return stores.messages


@pytest.fixture
def conversation_store(stores: Stores) -> ConversationStore:
    return stores.conversations


@pytest.fixture
def template_store(stores: Stores) -> TemplateStore:
    return stores.templates


@pytest.fixture
def media_store(stores: Stores) -> MediaStore:
    return stores.media


@pytest.fixture
def inbox(stores: Stores) -> Inbox:
    return stores.inbox


@pytest.fixture
def outbox(stores: Stores) -> Outbox:
    return stores.outbox


@pytest.fixture
def idempotency_keys(stores: Stores) -> IdempotencyKeys:
    return stores.idempotency_keys


@pytest.fixture
def api_key_store(stores: Stores) -> ApiKeyStore:
    return stores.api_keys
