"""Webhook POSTs through the Pub/Sub work queue, on the real Firestore and Pub/Sub emulators.

The poison POST meets a store that refuses to write its one wamid, as a store with a bad record or a bug in
applying one kind of item would (the Firestore writer around it is the real one, as are both emulators).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import SystemClock
from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from adapters.firestore import FirestoreStores
from adapters.memory.live_events import InMemoryLiveEvents
from adapters.pubsub.work_queue import PubSubWorkQueue
from application.delivered_posts import ApplyDeliveredPosts
from application.ingest_webhook import IngestWebhook
from application.ports import PostWriter
from application.post_changes import PostChanges, PostOutcome
from application.process_inbox_event import InboxReport, ProcessInboxEvent
from application.records import LiveEvent
from domain.ids import CustomerId, PhoneNumberId, Wamid
from domain.retry import RetryPolicy
from domain.webhook_signature import sign
from tests.firestore_emulator import PROJECT, firestore_emulator, firestore_stores
from tests.pubsub_emulator import pubsub_emulator, pubsub_host, pubsub_prefix
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change, text_message

__all__ = ["firestore_emulator", "pubsub_emulator", "pubsub_host", "pubsub_prefix"]

SECRET = b"app-secret"
CUSTOMER = "16505550142"
DELIVERIES = 5
"""Pub/Sub's least max_delivery_attempts; the store gives up after as many failures."""
WITHIN_SECONDS = 120.0
POISON = Wamid("wamid.POISON")


@dataclass
class Fleetlet:
    """One API side (ingest) and one worker side (deliveries, dead letters, sweep) over the shared emulators."""

    stores: FirestoreStores
    queue: PubSubWorkQueue
    ingest: IngestWebhook
    process: ProcessInboxEvent
    delivered: ApplyDeliveredPosts
    live: RecordedEvents
    buried: list[str] = field(default_factory=list)

    async def post(self, wamid: str, text: str) -> str:
        body = envelope(messages_change(messages=[text_message(wamid=wamid, sender=CUSTOMER, body=text, at=datetime.now(UTC))]))
        return await self.ingest(body, sign(SECRET, body))

    async def worker(self) -> None:
        async def deliveries() -> None:
            while True:
                await self.delivered(50)

        async def dead_letters() -> None:
            while True:
                self.buried += await self.delivered.bury_dead_letters(50)

        await asyncio.gather(deliveries(), dead_letters())

    async def stored(self, wamid: str) -> bool:
        return await self.stores.messages.find_by_wamid(Wamid(wamid)) is not None

    async def unread(self) -> int:
        conversation = await self.stores.conversations.get(PhoneNumberId(BUSINESS_NUMBER_ID), CustomerId(CUSTOMER))
        return 0 if conversation is None else conversation.unread_count


class RefusingPoison:
    def __init__(self, writer: PostWriter) -> None:
        self._writer = writer

    async def write(self, post: PostChanges) -> PostOutcome:
        if any(change.message.wamid == POISON for change in post.received):
            raise RuntimeError(f"cannot store {POISON}")
        return await self._writer.write(post)


@contextlib.asynccontextmanager
async def fleetlet(prefix: str, ensure: bool = True) -> AsyncIterator[Fleetlet]:
    async with firestore_stores() as stores:
        queue = PubSubWorkQueue(PROJECT, prefix, max_deliveries=DELIVERIES)
        if ensure:
            await queue.ensure()
        clock, live = SystemClock(), RecordedEvents()
        process = ProcessInboxEvent(
            inbox=stores.inbox,
            decoder=MetaWebhookDecoder(),
            writer=RefusingPoison(stores.post_writer),
            messages=stores.messages,
            customers=stores.customers,
            live_events=live,
            clock=clock,
            retry=RetryPolicy(max_attempts=DELIVERIES, base=timedelta(milliseconds=10)),
        )
        try:
            yield Fleetlet(
                stores=stores,
                queue=queue,
                ingest=IngestWebhook(inbox=stores.inbox, work_queue=queue, app_secret=SECRET, clock=clock),
                process=process,
                delivered=ApplyDeliveredPosts(
                    subscription=queue, inbox=stores.inbox, process=process, live_events=live, clock=clock
                ),
                live=live,
            )
        finally:
            await queue.close()


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = asyncio.get_running_loop().time() + WITHIN_SECONDS
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "not within the deadline"
        await asyncio.sleep(0.1)


@pytest.mark.usefixtures("pubsub_host")
async def test_a_poison_post_ends_dead_lettered_and_quarantined_while_the_rest_flows(pubsub_prefix: str) -> None:
    async with fleetlet(pubsub_prefix) as fleet:
        before = await fleet.post("wamid.BEFORE", "hello")
        poison = await fleet.post(POISON, "I never apply")
        after = await fleet.post("wamid.AFTER", "still there?")
        worker = asyncio.create_task(fleet.worker())
        try:
            await eventually(lambda: fleet.stored("wamid.AFTER"))
            await eventually(lambda: _quarantined(fleet, poison))
            await eventually(lambda: _true(poison in fleet.buried))
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)

        assert await fleet.stored("wamid.BEFORE") and not await fleet.stored("wamid.POISON")
        assert await fleet.unread() == 2
        [quarantined] = await fleet.stores.inbox.quarantined(10)
        assert (quarantined.id, quarantined.attempts) == (poison, DELIVERIES)
        assert "RuntimeError: cannot store wamid.POISON" in quarantined.error, quarantined.error
        assert {before, after}.isdisjoint(post.id for post in await fleet.stores.inbox.unprocessed(10))


@pytest.mark.usefixtures("pubsub_host")
async def test_a_delivery_handed_back_after_it_applied_applies_nothing_twice(pubsub_prefix: str) -> None:
    """As when a worker dies between its commit and its acknowledgement: the POST comes again, to no effect."""
    async with fleetlet(pubsub_prefix) as fleet:
        await fleet.post("wamid.ONCE", "hello")
        first: list[str] = []
        while not first:
            deliveries = await fleet.queue.receive("inbox", 10)
            for delivery in deliveries:
                event = await fleet.stores.inbox.get(delivery.work_id)
                assert event is not None and await fleet.process(event)
                first.append(delivery.work_id)
            await fleet.queue.settle("inbox", (), deliveries)

        report = InboxReport()
        while not report.posts:
            report = await fleet.delivered(10)

        assert report.posts == 1 and not report.failed
        assert await fleet.unread() == 1
        assert fleet.live.types == ["message.received"]


@pytest.mark.usefixtures("pubsub_host")
async def test_a_post_whose_announcement_failed_is_refused_and_meta_s_redelivery_applies_once(pubsub_prefix: str) -> None:
    """200 only after the store and the announcement: a failed announcement fails the POST, Meta delivers it
    again, and the copy stored before the failure (applied by the sweep) changes nothing twice."""
    async with fleetlet(pubsub_prefix, ensure=False) as fleet:
        with pytest.raises(Exception, match="NotFound|not found|Topic"):
            await fleet.post("wamid.REDELIVERED", "hello")
        stored_only = await fleet.stores.inbox.unprocessed(10)
        assert len(stored_only) == 1

        await fleet.queue.ensure()
        await fleet.post("wamid.REDELIVERED", "hello")
        report = InboxReport()
        while not report.posts:
            report = await fleet.delivered(10)
        swept = await fleet.process.process_pending(10)

        assert (report.posts, swept.posts) == (1, 1) and not report.failed and not swept.failed
        assert await fleet.unread() == 1
        assert await fleet.stores.inbox.unprocessed(10) == []
        assert fleet.live.types == ["message.received"]


async def _quarantined(fleet: Fleetlet, event_id: str) -> bool:
    return event_id in [post.id for post in await fleet.stores.inbox.quarantined(10)]


async def _true(value: bool) -> bool:
    return value


class RecordedEvents(InMemoryLiveEvents):
    """The in-memory stream, remembering every type published (the test reads them without subscribing)."""

    def __init__(self) -> None:
        super().__init__()
        self.types: list[str] = []

    async def publish(self, type: str, data: dict[str, object]) -> LiveEvent:
        self.types.append(type)
        return await super().publish(type, data)
