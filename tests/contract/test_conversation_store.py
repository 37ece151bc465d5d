"""ConversationStore contract: atomic create-or-change, and a list by last activity, most recent first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import msgspec
import pytest

from application.ports import ConversationStore
from domain.conversations import Conversation, CustomerServiceWindow
from domain.errors import DomainError
from domain.ids import CustomerId, PhoneNumberId
from tests.contract.examples import ALICE, BOB, MONDAY, SHOP_NUMBER, SUPPORT_NUMBER, minutes


def customer(n: int) -> CustomerId:
    return CustomerId(f"1650555{n:04d}")


def conversation(wa_id: CustomerId, at: datetime, phone_number_id: PhoneNumberId = SHOP_NUMBER) -> Conversation:
    return Conversation(phone_number_id=phone_number_id, customer_id=wa_id, last_activity_at=at)


def active_at(
    wa_id: CustomerId, at: datetime, phone_number_id: PhoneNumberId = SHOP_NUMBER
) -> Callable[[Conversation | None], Conversation]:
    return lambda _: conversation(wa_id, at, phone_number_id)


def one_more_unread(current: Conversation | None) -> Conversation:
    base = current or conversation(ALICE, MONDAY)
    return msgspec.structs.replace(base, unread_count=base.unread_count + 1)


async def test_update_creates_a_conversation_that_did_not_exist(conversation_store: ConversationStore) -> None:
    created = await conversation_store.update(SHOP_NUMBER, ALICE, one_more_unread)

    assert created.unread_count == 1
    assert await conversation_store.get(SHOP_NUMBER, ALICE) == created


async def test_update_changes_the_stored_conversation(conversation_store: ConversationStore) -> None:
    await conversation_store.update(SHOP_NUMBER, ALICE, one_more_unread)
    window = CustomerServiceWindow(last_inbound_at=MONDAY)

    def customer_wrote(current: Conversation | None) -> Conversation:
        return msgspec.structs.replace(one_more_unread(current), window=window)

    await conversation_store.update(SHOP_NUMBER, ALICE, customer_wrote)

    stored = await conversation_store.get(SHOP_NUMBER, ALICE)
    assert stored is not None and (stored.unread_count, stored.window) == (2, window)


async def test_concurrent_updates_are_both_applied(conversation_store: ConversationStore) -> None:
    await asyncio.gather(*(conversation_store.update(SHOP_NUMBER, ALICE, one_more_unread) for _ in range(2)))

    stored = await conversation_store.get(SHOP_NUMBER, ALICE)
    assert stored is not None and stored.unread_count == 2


async def test_a_customer_has_one_conversation_per_business_number(conversation_store: ConversationStore) -> None:
    await conversation_store.update(SHOP_NUMBER, ALICE, active_at(ALICE, MONDAY))

    assert await conversation_store.get(SUPPORT_NUMBER, ALICE) is None


async def test_the_list_pages_through_most_recent_activity_first(conversation_store: ConversationStore) -> None:
    for n in range(5):
        await conversation_store.update(SHOP_NUMBER, customer(n), active_at(customer(n), MONDAY + minutes(n)))

    first = await conversation_store.list(phone_number_id=None, cursor=None, limit=2)
    second = await conversation_store.list(phone_number_id=None, cursor=first.next_cursor, limit=2)
    third = await conversation_store.list(phone_number_id=None, cursor=second.next_cursor, limit=2)

    assert [c.customer_id for c in first.items + second.items + third.items] == [customer(n) for n in (4, 3, 2, 1, 0)]
    assert third.next_cursor is None


async def test_conversations_active_at_the_same_instant_each_appear_once(conversation_store: ConversationStore) -> None:
    for wa_id in (ALICE, BOB):
        await conversation_store.update(SHOP_NUMBER, wa_id, active_at(wa_id, MONDAY))

    first = await conversation_store.list(phone_number_id=None, cursor=None, limit=1)
    second = await conversation_store.list(phone_number_id=None, cursor=first.next_cursor, limit=1)

    assert [c.customer_id for c in first.items + second.items] == [BOB, ALICE]


async def test_new_activity_moves_a_conversation_to_the_top(conversation_store: ConversationStore) -> None:
    await conversation_store.update(SHOP_NUMBER, ALICE, active_at(ALICE, MONDAY))
    await conversation_store.update(SHOP_NUMBER, BOB, active_at(BOB, MONDAY + minutes(1)))

    await conversation_store.update(SHOP_NUMBER, ALICE, active_at(ALICE, MONDAY + minutes(2)))

    page = await conversation_store.list(phone_number_id=None, cursor=None, limit=10)
    assert [c.customer_id for c in page.items] == [ALICE, BOB]


async def test_the_list_can_keep_to_one_business_number(conversation_store: ConversationStore) -> None:
    await conversation_store.update(SHOP_NUMBER, ALICE, active_at(ALICE, MONDAY))
    await conversation_store.update(SUPPORT_NUMBER, BOB, active_at(BOB, MONDAY, SUPPORT_NUMBER))

    page = await conversation_store.list(phone_number_id=SUPPORT_NUMBER, cursor=None, limit=10)

    assert [(c.phone_number_id, c.customer_id) for c in page.items] == [(SUPPORT_NUMBER, BOB)]


async def test_a_made_up_cursor_is_refused_clearly(conversation_store: ConversationStore) -> None:
    with pytest.raises(DomainError, match="cursor"):
        await conversation_store.list(phone_number_id=None, cursor="2025-06-02", limit=10)


def waiting_since(customer_id: CustomerId, last_inbound_at: datetime, phone_number_id: PhoneNumberId = SHOP_NUMBER) -> Conversation:
    """The customer wrote last at `last_inbound_at` and has no reply yet."""
    return msgspec.structs.replace(
        conversation(customer_id, last_inbound_at, phone_number_id),
        window=CustomerServiceWindow(last_inbound_at=last_inbound_at),
        awaiting_reply_since=last_inbound_at,
    )


async def test_closing_unanswered_lists_windows_closing_within_two_hours_soonest_first(
    conversation_store: ConversationStore,
) -> None:
    now = MONDAY + timedelta(hours=23)
    closing_later, closing_soon = waiting_since(customer(1), MONDAY + minutes(60)), waiting_since(customer(2), MONDAY)
    too_late = waiting_since(customer(3), now - timedelta(hours=24))
    not_yet = waiting_since(customer(4), now - timedelta(hours=21))
    answered = msgspec.structs.replace(waiting_since(customer(5), MONDAY), awaiting_reply_since=None)
    other_number = waiting_since(customer(6), MONDAY + minutes(30), SUPPORT_NUMBER)
    for stored in (closing_later, closing_soon, too_late, not_yet, answered, other_number):
        await conversation_store.update(stored.phone_number_id, stored.customer_id, lambda _, c=stored: c)

    closing = await conversation_store.closing_unanswered(phone_number_id=None, now=now)
    of_shop = await conversation_store.closing_unanswered(phone_number_id=SHOP_NUMBER, now=now)

    assert [c.customer_id for c in closing] == [customer(2), customer(6), customer(1)]
    assert [c.customer_id for c in of_shop] == [customer(2), customer(1)]


async def test_a_reply_takes_a_conversation_off_the_closing_list(conversation_store: ConversationStore) -> None:
    now = MONDAY + timedelta(hours=23)
    await conversation_store.update(SHOP_NUMBER, ALICE, lambda _: waiting_since(ALICE, MONDAY))

    await conversation_store.update(
        SHOP_NUMBER, ALICE, lambda c: msgspec.structs.replace(c or conversation(ALICE, MONDAY), awaiting_reply_since=None)
    )

    assert await conversation_store.closing_unanswered(phone_number_id=None, now=now) == []
