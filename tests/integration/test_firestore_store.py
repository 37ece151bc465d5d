"""The Firestore stores on the real emulator: transactions hold under concurrency, data outlives a client."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import msgspec
import pytest

from adapters.firestore import FirestoreStores
from adapters.firestore.message_fields import thread
from application.ports import Outbox
from application.records import OutboxEntry, ParkedStatus
from domain.analytics import AnalyticsQuery, FailureCount
from domain.conversations import Conversation
from domain.ids import Wamid
from domain.messages import Message
from domain.status import Failure, MessageStatus, StatusEvent, apply_status
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, message_id, minutes, outbound, wamid
from tests.firestore_emulator import PROJECT, EmulatorUnavailable, firestore_emulator, firestore_stores, locate_gcloud

__all__ = ["firestore_emulator"]

UNDELIVERABLE = Failure(code=131026, title="Message undeliverable")


@pytest.fixture
async def stores() -> AsyncIterator[FirestoreStores]:
    async with firestore_stores() as fresh:
        yield fresh


@pytest.fixture
async def second_client(stores: FirestoreStores) -> AsyncIterator[FirestoreStores]:
    """Another process's view of the same database: its own client and connection."""
    other = FirestoreStores(project=PROJECT)
    yield other
    await other.close()


def _entry(n: int) -> OutboxEntry:
    return OutboxEntry(message_id=message_id(n), phone_number_id=SHOP_NUMBER, customer_id=ALICE, due_at=MONDAY + minutes(n))


def _status(status: MessageStatus, after: int, failure: Failure | None = None) -> StatusEvent:
    return StatusEvent(status=status, at=MONDAY + minutes(after), failure=failure)


class TestConcurrency:
    """Kept small: the emulator settles each conflict between transactions only after a lock wait of about a second."""

    async def test_two_dispatchers_claiming_at_once_never_take_the_same_entry(
        self, stores: FirestoreStores, second_client: FirestoreStores
    ) -> None:
        for n in range(1, 9):
            await stores.outbox.enqueue(_entry(n))

        async def dispatch(outbox: Outbox, sent: list[str]) -> None:
            while claimed := await outbox.claim(MONDAY + minutes(60), MONDAY + minutes(90), 4):
                sent.extend(entry.message_id for entry in claimed)

        first: list[str] = []
        second: list[str] = []
        await asyncio.gather(dispatch(stores.outbox, first), dispatch(second_client.outbox, second))

        assert sorted(first + second) == [message_id(n) for n in range(1, 9)]

    async def test_status_updates_racing_in_any_order_end_in_the_highest_status(
        self, stores: FirestoreStores, second_client: FirestoreStores
    ) -> None:
        await stores.messages.add(outbound(1, wamid=wamid(1)))
        delivered = _status(MessageStatus.DELIVERED, 2)
        burst = [_status(MessageStatus.SENT, 1), delivered, _status(MessageStatus.READ, 3), delivered]
        random.Random(4).shuffle(burst)

        def record(event: StatusEvent) -> Callable[[Message], Message]:
            return lambda m: msgspec.structs.replace(m, status=apply_status(m.status, event))

        await asyncio.gather(*(
            (stores if i % 2 else second_client).messages.update(message_id(1), record(event))
            for i, event in enumerate(burst)
        ))

        stored = await stores.messages.get(message_id(1))
        assert stored is not None
        assert stored.status.status is MessageStatus.READ
        assert stored.status.reached_at[MessageStatus.SENT] == MONDAY + minutes(1)
        assert await stores.messages.analytics.outbound_by_status(_week()) == {"read": 1}


class TestCountsKeptBesideTheMessages:
    async def test_a_failure_recorded_by_an_update_is_counted_once_whatever_the_period(
        self, stores: FirestoreStores
    ) -> None:
        await stores.messages.add(outbound(1, at=MONDAY + minutes(30)))
        for _ in range(2):
            await stores.messages.update(message_id(1), _failed)

        whole_days = AnalyticsQuery(since=MONDAY.replace(hour=0), until=MONDAY.replace(hour=0) + timedelta(days=2))
        part_of_a_day = AnalyticsQuery(since=MONDAY, until=MONDAY + minutes(45))
        counted = FailureCount(code=131026, title="Message undeliverable", count=1)
        assert await stores.messages.analytics.failures(whole_days) == [counted]
        assert await stores.messages.analytics.failures(part_of_a_day) == [counted]
        before_it = AnalyticsQuery(since=MONDAY, until=MONDAY + minutes(15))
        assert await stores.messages.analytics.failures(before_it) == []


class TestRestart:
    async def test_everything_written_is_there_for_a_new_client(self, stores: FirestoreStores) -> None:
        await stores.messages.add(outbound(1, wamid=wamid(1)))
        await stores.conversations.update(SHOP_NUMBER, ALICE, lambda _: Conversation(
            phone_number_id=SHOP_NUMBER, customer_id=ALICE, last_activity_at=MONDAY))
        event_id = await stores.inbox.append(b'{"object":"whatsapp_business_account"}', MONDAY)
        await stores.outbox.enqueue(_entry(1))
        await stores.close()

        again = FirestoreStores(project=PROJECT)
        try:
            assert await again.messages.find_by_wamid(wamid(1)) == outbound(1, wamid=wamid(1))
            assert await again.conversations.get(SHOP_NUMBER, ALICE) is not None
            assert [e.id for e in await again.inbox.unprocessed(10)] == [event_id]
            assert await again.outbox.depth() == 1
        finally:
            await again.close()


class TestMissingEmulator:
    def test_missing_gcloud_and_java_are_named_with_what_to_install(self) -> None:
        with pytest.raises(EmulatorUnavailable) as refused:
            locate_gcloud(path="")

        assert "gcloud and java" in str(refused.value)
        assert "gcloud components install cloud-firestore-emulator" in str(refused.value)
        assert "openjdk" in str(refused.value)


def _failed(message: Message) -> Message:
    return msgspec.structs.replace(
        message, status=apply_status(message.status, _status(MessageStatus.FAILED, 40, UNDELIVERABLE))
    )


def _week() -> AnalyticsQuery:
    return AnalyticsQuery(since=MONDAY, until=MONDAY + timedelta(days=7))


class TestUpgrade:
    async def test_a_post_stored_by_an_earlier_wahub_and_not_yet_applied_is_still_pending(self, stores: FirestoreStores) -> None:
        earlier = stores._client.collection("inbox").document("evt_stored_before_the_upgrade")
        await earlier.set({"body": b"{}", "received_at": MONDAY, "processed": False})

        await stores.migrate()

        due = await stores.inbox.unprocessed(10, due_by=MONDAY + minutes(1))
        assert [(e.id, e.attempts) for e in due] == [("evt_stored_before_the_upgrade", 0)]
async def test_statuses_parked_before_reported_at_was_kept_are_pruned_once_the_database_migrates(
    stores: FirestoreStores,
) -> None:
    client = stores._client
    old = msgspec.json.encode((_status(MessageStatus.SENT, 0), None)).decode()  # as the earlier wahub parked it
    await client.collection("parked_statuses").document("wamid.OLD").set({"statuses": [old]})
    await stores.messages.park_status(wamid(2), ParkedStatus(event=_status(MessageStatus.SENT, 90)))
    await client.collection("schema").document("version").set({"version": 5})  # the steps before this one
    assert await stores.messages.prune_parked_statuses(MONDAY + minutes(60), limit=10) == 0

    await stores.migrate()

    assert await stores.messages.prune_parked_statuses(MONDAY + minutes(60), limit=10) == 1
    assert await stores.messages.take_parked_statuses(Wamid("wamid.OLD")) == []
    assert [p.event.status for p in await stores.messages.take_parked_statuses(wamid(2))] == [MessageStatus.SENT]


async def test_messages_stored_before_thread_copies_get_them_when_the_database_migrates(stores: FirestoreStores) -> None:
    for n in range(3):
        await stores.messages.add(outbound(n, MONDAY + minutes(n), wamid=wamid(n)))
    client = stores._client
    copies = thread(client, SHOP_NUMBER, ALICE)
    async for copy in copies.stream():  # as a database of the previous version holds them: no copies
        await copy.reference.delete()
    await client.collection("schema").document("version").set({"version": 2})  # the steps before thread copies
    assert (await stores.messages.history(SHOP_NUMBER, ALICE, cursor=None, limit=10)).items == []

    await stores.migrate()

    history = await stores.messages.history(SHOP_NUMBER, ALICE, cursor=None, limit=10)
    assert [m.id for m in history.items] == [message_id(2), message_id(1), message_id(0)]


async def test_a_status_change_reaches_the_thread_copy_a_history_page_reads(stores: FirestoreStores) -> None:
    await stores.messages.add(outbound(1, wamid=wamid(1)))

    await stores.messages.update(
        message_id(1), lambda m: msgspec.structs.replace(m, status=apply_status(m.status, _status(MessageStatus.DELIVERED, 1)))
    )

    [message] = (await stores.messages.history(SHOP_NUMBER, ALICE, cursor=None, limit=10)).items
    assert message.status.status is MessageStatus.DELIVERED
