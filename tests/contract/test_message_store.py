"""MessageStore contract: idempotent adds, atomic updates, paged history, parked statuses, tier recipients."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from application.ports import MessageStore
from application.records import ParkedStatus
from domain.errors import DomainError
from domain.messages import BillingConversation, Message, Pricing
from domain.status import Failure, MessageStatus, StatusEvent, apply_status
from tests.contract.examples import ALICE, BOB, MONDAY, SHOP_NUMBER, SUPPORT_NUMBER, inbound, minutes, outbound, wamid

MARKETING = Pricing(category="marketing", type="regular", pricing_model="PMP", billable=True)


class TestAdd:
    async def test_a_new_message_is_stored_and_found_by_id_and_wamid(self, message_store: MessageStore) -> None:
        assert await message_store.add(inbound(1, wamid=wamid(1))) is True

        assert await message_store.get(inbound(1).id) == inbound(1, wamid=wamid(1))
        assert await message_store.find_by_wamid(wamid(1)) == inbound(1, wamid=wamid(1))

    async def test_adding_the_same_id_twice_changes_nothing(self, message_store: MessageStore) -> None:
        await message_store.add(outbound(1))

        assert await message_store.add(outbound(1, customer_name="Someone else")) is False
        assert await message_store.get(outbound(1).id) == outbound(1)

    async def test_a_redelivered_wamid_under_a_new_id_is_refused(self, message_store: MessageStore) -> None:
        await message_store.add(inbound(1, wamid=wamid(7)))

        assert await message_store.add(inbound(2, wamid=wamid(7))) is False
        assert await message_store.get(inbound(2).id) is None

    async def test_unknown_ids_and_wamids_find_nothing(self, message_store: MessageStore) -> None:
        assert await message_store.get(outbound(404).id) is None
        assert await message_store.find_by_wamid(wamid(404)) is None


class TestUpdate:
    async def test_a_status_event_is_joined_into_the_stored_record(self, message_store: MessageStore) -> None:
        await message_store.add(outbound(1, wamid=wamid(1)))
        delivered = StatusEvent(status=MessageStatus.DELIVERED, at=MONDAY + minutes(2))

        await message_store.update(outbound(1).id, lambda m: _with_status(m, delivered))

        stored = await message_store.find_by_wamid(wamid(1))
        assert stored is not None and stored.status.status is MessageStatus.DELIVERED

    async def test_a_wamid_recorded_by_an_update_is_findable(self, message_store: MessageStore) -> None:
        await message_store.add(outbound(1))

        await message_store.update(outbound(1).id, lambda m: msgspec.structs.replace(m, wamid=wamid(1)))

        assert await message_store.find_by_wamid(wamid(1)) == outbound(1, wamid=wamid(1))

    async def test_concurrent_updates_are_both_applied(self, message_store: MessageStore) -> None:
        await message_store.add(outbound(1))
        sent = StatusEvent(status=MessageStatus.SENT, at=MONDAY + minutes(1))
        read = StatusEvent(status=MessageStatus.READ, at=MONDAY + minutes(3))

        await asyncio.gather(
            message_store.update(outbound(1).id, lambda m: _with_status(m, sent)),
            message_store.update(outbound(1).id, lambda m: _with_status(m, read)),
        )

        stored = await message_store.get(outbound(1).id)
        assert stored is not None
        assert stored.status.reached_at.keys() == {MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.READ}

    async def test_updating_an_unknown_message_returns_none(self, message_store: MessageStore) -> None:
        assert await message_store.update(outbound(404).id, lambda m: m) is None


class TestHistory:
    async def test_pages_go_newest_first_without_repeats(self, message_store: MessageStore) -> None:
        for n in range(7):
            await message_store.add(inbound(n, at=MONDAY + minutes(n)))
        await message_store.add(inbound(100, at=MONDAY, customer_id=BOB))
        await message_store.add(inbound(101, at=MONDAY, phone_number_id=SUPPORT_NUMBER))

        first = await message_store.history(SHOP_NUMBER, ALICE, cursor=None, limit=3)
        second = await message_store.history(SHOP_NUMBER, ALICE, cursor=first.next_cursor, limit=3)
        third = await message_store.history(SHOP_NUMBER, ALICE, cursor=second.next_cursor, limit=3)

        shown = [m.id for m in first.items + second.items + third.items]
        assert shown == [inbound(n).id for n in (6, 5, 4, 3, 2, 1, 0)]
        assert third.next_cursor is None

    async def test_messages_at_the_same_instant_each_appear_once(self, message_store: MessageStore) -> None:
        for n in range(4):
            await message_store.add(outbound(n, at=MONDAY))

        first = await message_store.history(SHOP_NUMBER, ALICE, cursor=None, limit=2)
        second = await message_store.history(SHOP_NUMBER, ALICE, cursor=first.next_cursor, limit=2)

        assert [m.id for m in first.items + second.items] == [outbound(n).id for n in (3, 2, 1, 0)]

    async def test_a_page_that_ends_exactly_at_the_last_message_has_no_next_cursor(
        self, message_store: MessageStore
    ) -> None:
        for n in range(2):
            await message_store.add(outbound(n, at=MONDAY + minutes(n)))

        page = await message_store.history(SHOP_NUMBER, ALICE, cursor=None, limit=2)

        assert len(page.items) == 2 and page.next_cursor is None

    async def test_a_made_up_cursor_is_refused_clearly(self, message_store: MessageStore) -> None:
        with pytest.raises(DomainError, match="cursor"):
            await message_store.history(SHOP_NUMBER, ALICE, cursor="page-two-please", limit=3)


class TestParkedStatuses:
    async def test_statuses_parked_for_a_wamid_are_taken_once_in_order(self, message_store: MessageStore) -> None:
        sent = StatusEvent(status=MessageStatus.SENT, at=MONDAY)
        undeliverable = Failure(code=131026, title="Message undeliverable")
        failed = StatusEvent(status=MessageStatus.FAILED, at=MONDAY, failure=undeliverable)
        billed = BillingConversation(id="c0a7c1d5", origin="marketing")
        await message_store.park_status(wamid(1), ParkedStatus(event=sent, pricing=MARKETING, conversation=billed))
        await message_store.park_status(wamid(1), ParkedStatus(event=failed))
        await message_store.park_status(wamid(2), ParkedStatus(event=sent))

        assert await message_store.take_parked_statuses(wamid(1)) == [
            ParkedStatus(event=sent, pricing=MARKETING, conversation=billed), ParkedStatus(event=failed),
        ]
        assert await message_store.take_parked_statuses(wamid(1)) == []
        assert await message_store.take_parked_statuses(wamid(2)) == [ParkedStatus(event=sent)]

    async def test_pruning_deletes_the_statuses_of_wamids_first_reported_before_the_cutoff(
        self, message_store: MessageStore
    ) -> None:
        old = StatusEvent(status=MessageStatus.SENT, at=MONDAY)
        late = StatusEvent(status=MessageStatus.SENT, at=MONDAY + minutes(90))
        delivered = StatusEvent(status=MessageStatus.DELIVERED, at=MONDAY + minutes(61))
        await message_store.park_status(wamid(1), ParkedStatus(event=old))
        await message_store.park_status(wamid(1), ParkedStatus(event=delivered))
        await message_store.park_status(wamid(2), ParkedStatus(event=old))
        await message_store.park_status(wamid(3), ParkedStatus(event=late))

        first = await message_store.prune_parked_statuses(MONDAY + minutes(60), limit=1)
        rest = await message_store.prune_parked_statuses(MONDAY + minutes(60), limit=10)

        assert (first, rest) == (1, 1)
        assert await message_store.take_parked_statuses(wamid(1)) == []
        assert await message_store.take_parked_statuses(wamid(2)) == []
        assert await message_store.take_parked_statuses(wamid(3)) == [ParkedStatus(event=late)]


class TestBusinessInitiatedRecipients:
    async def test_each_customer_reached_first_since_the_time_with_the_latest_time(
        self, message_store: MessageStore
    ) -> None:
        await message_store.add(outbound(1, at=MONDAY - minutes(1), business_initiated=True))
        await message_store.add(outbound(2, at=MONDAY, business_initiated=True))
        await message_store.add(outbound(3, at=MONDAY + minutes(5), business_initiated=True))
        await message_store.add(outbound(4, at=MONDAY + minutes(9)))
        await message_store.add(outbound(5, at=MONDAY + minutes(2), customer_id=BOB, business_initiated=True))
        await message_store.add(inbound(6, at=MONDAY + minutes(7), customer_id=BOB))

        reached = await message_store.business_initiated_recipients(since=MONDAY)

        assert reached == {ALICE: MONDAY + minutes(5), BOB: MONDAY + minutes(2)}


def _with_status(message: Message, event: StatusEvent) -> Message:
    return msgspec.structs.replace(message, status=apply_status(message.status, event))
