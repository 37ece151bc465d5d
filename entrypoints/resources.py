"""Resources with a lifecycle, opened and closed by the container: stores, the simulator, the Graph client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from adapters.blobs.filesystem import FileBlobStore
from adapters.cloud_api.graph import GraphCloudApi
from adapters.cloud_api.handshake import HttpWebhookHandshake
from adapters.firestore.stores import FirestoreStores
from adapters.memory import MemoryStores
from adapters.memory.blobs import InMemoryBlobStore
from adapters.memory.work_queue import WakeUpQueue
from adapters.pubsub.work_queue import PubSubWorkQueue
from adapters.sqlite import open_sqlite_stores
from application.ports import Stores
from entrypoints.sandbox import BusinessAccount
from entrypoints.settings import Settings
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.server import RunningSimulator, running_simulator

SQLITE_FILE = "wahub.db"
MEDIA_FOLDER = "media"


def open_blobs(settings: Settings) -> FileBlobStore | InMemoryBlobStore:
    """Media bytes live beside the database: in memory for the memory store, else under the data dir."""
    if settings.store == "memory":
        return InMemoryBlobStore()
    return FileBlobStore(settings.data_dir / MEDIA_FOLDER)


async def open_stores(settings: Settings) -> AsyncIterator[Stores]:
    """Every store of the configured kind, as one bundle with the store ports as attributes."""
    if settings.store == "memory":
        yield MemoryStores()
    elif settings.store == "firestore":
        assert settings.firestore_project is not None
        firestore = FirestoreStores(project=settings.firestore_project, database=settings.firestore_database)
        try:
            await firestore.migrate()
            yield firestore
        finally:
            await firestore.close()
    else:
        sqlite = await open_sqlite_stores(settings.data_dir / SQLITE_FILE)
        try:
            yield sqlite
        finally:
            await sqlite.close()


async def open_work_queue(settings: Settings) -> AsyncIterator[WakeUpQueue | PubSubWorkQueue]:
    """Pub/Sub for a fleet (topics and subscriptions created when missing), else wake-ups on this machine."""
    if settings.queue == "local":
        yield WakeUpQueue()
        return
    assert settings.pubsub_project is not None
    queue = PubSubWorkQueue(
        settings.pubsub_project, settings.pubsub_prefix, ack_deadline_seconds=settings.pubsub_ack_deadline_seconds
    )
    try:
        await queue.ensure()
        yield queue
    finally:
        await queue.close()


async def open_simulator(
    settings: Settings, account: BusinessAccount, webhook_url: str
) -> AsyncIterator[RunningSimulator | None]:
    """Sandbox mode only: the simulator plays Meta in-process and calls this server's webhook."""
    if not settings.sandbox:
        yield None
        return
    config = SimulatorConfig(
        access_token=account.access_token,
        app_secret=account.app_secret,
        webhook_url=webhook_url,
        verify_token=account.verify_token,
        phone_number_id=account.phone_number_id,
        waba_id=account.waba_id,
        messages_per_second=settings.throughput_per_second,
        status_delay_seconds=1.0,
    )
    async with running_simulator(config, port=settings.simulator_port) as simulator:
        yield simulator


async def open_cloud_api(
    settings: Settings, account: BusinessAccount, simulator: RunningSimulator | None
) -> AsyncIterator[GraphCloudApi]:
    base_url = simulator.url if simulator is not None else settings.graph_url
    async with GraphCloudApi(account.access_token, base_url=base_url, version=settings.graph_version) as api:
        yield api


async def open_webhook_handshake() -> AsyncIterator[HttpWebhookHandshake]:
    """Its own short-timeout client: a callback URL that hangs must not hold the setup guide for long."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)) as client:
        yield HttpWebhookHandshake(client)
