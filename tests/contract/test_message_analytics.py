"""MessageStore.aggregates contract: the counts and sums analytics are built from, over [since, until)."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from application.ports import MessageStore
from domain.analytics import AnalyticsQuery, DailyVolume, FailureCount, PricingCount
from domain.messages import Message, Pricing
from domain.status import Failure, MessageStatus, StatusEvent, apply_status
from tests.contract.examples import MONDAY, SHOP_NUMBER, SUPPORT_NUMBER, inbound, minutes, outbound

TUESDAY = MONDAY + timedelta(days=1)
WEEK = AnalyticsQuery(since=MONDAY, until=MONDAY + timedelta(days=7))
UNDELIVERABLE = Failure(code=131026, title="Message undeliverable")
OUTSIDE_WINDOW = Failure(code=131047, title="Re-engagement message")


def reached(message: Message, status: MessageStatus, failure: Failure | None = None) -> Message:
    event = StatusEvent(status=status, at=message.created_at + minutes(1), failure=failure)
    return msgspec.structs.replace(message, status=apply_status(message.status, event))


async def store_all(store: MessageStore, *messages: Message) -> None:
    for message in messages:
        assert await store.add(message)


async def test_volumes_are_counted_per_utc_day_and_direction(message_store: MessageStore) -> None:
    await store_all(
        message_store,
        inbound(1, at=MONDAY), inbound(2, at=MONDAY + minutes(5)), outbound(3, at=MONDAY + minutes(6)),
        outbound(4, at=TUESDAY),
    )

    totals = await message_store.aggregates(WEEK)

    assert sorted(totals.volumes, key=lambda v: (v.day, v.direction)) == [
        DailyVolume(day="2025-06-02", direction="inbound", count=2),
        DailyVolume(day="2025-06-02", direction="outbound", count=1),
        DailyVolume(day="2025-06-03", direction="outbound", count=1),
    ]


async def test_outbound_messages_are_counted_by_their_current_status(message_store: MessageStore) -> None:
    await store_all(
        message_store,
        reached(outbound(1), MessageStatus.DELIVERED), reached(outbound(2), MessageStatus.READ),
        reached(outbound(3), MessageStatus.READ), outbound(4), inbound(5),
    )

    totals = await message_store.aggregates(WEEK)

    assert totals.outbound_by_status == {"delivered": 1, "read": 2, "queued": 1}


async def test_failures_are_counted_per_meta_code_and_title(message_store: MessageStore) -> None:
    await store_all(
        message_store,
        reached(outbound(1), MessageStatus.FAILED, UNDELIVERABLE),
        reached(outbound(2), MessageStatus.FAILED, UNDELIVERABLE),
        reached(outbound(3), MessageStatus.FAILED, OUTSIDE_WINDOW),
        reached(outbound(4), MessageStatus.SENT),
    )

    totals = await message_store.aggregates(WEEK)

    assert sorted(totals.failures, key=lambda f: f.code) == [
        FailureCount(code=131026, title="Message undeliverable", count=2),
        FailureCount(code=131047, title="Re-engagement message", count=1),
    ]
    assert totals.outbound_by_status["failed"] == 3


async def test_response_times_of_replies_are_summed_and_counted(message_store: MessageStore) -> None:
    await store_all(
        message_store,
        outbound(1, response_seconds=30.0), outbound(2, response_seconds=90.5), outbound(3), inbound(4),
    )

    totals = await message_store.aggregates(WEEK)

    assert (totals.response_seconds_total, totals.responses) == (120.5, 2)


async def test_billed_messages_are_counted_per_pricing_category_and_type(message_store: MessageStore) -> None:
    marketing = Pricing(category="marketing", type="regular")
    service = Pricing(category="service", type="free_customer_service")
    await store_all(
        message_store,
        outbound(1, pricing=marketing), outbound(2, pricing=marketing), outbound(3, pricing=service), outbound(4),
    )

    totals = await message_store.aggregates(WEEK)

    assert sorted(totals.pricing, key=lambda p: p.category) == [
        PricingCount(category="marketing", type="regular", count=2),
        PricingCount(category="service", type="free_customer_service", count=1),
    ]


async def test_only_the_chosen_business_number_is_counted(message_store: MessageStore) -> None:
    await store_all(message_store, outbound(1), outbound(2, phone_number_id=SUPPORT_NUMBER))

    totals = await message_store.aggregates(msgspec.structs.replace(WEEK, phone_number_id=SHOP_NUMBER))

    assert totals.volumes == [DailyVolume(day="2025-06-02", direction="outbound", count=1)]


async def test_the_period_includes_since_and_excludes_until(message_store: MessageStore) -> None:
    query = AnalyticsQuery(since=MONDAY, until=TUESDAY)
    await store_all(
        message_store,
        outbound(1, at=MONDAY - timedelta(microseconds=1), response_seconds=1.0),
        outbound(2, at=MONDAY, response_seconds=2.0),
        outbound(3, at=TUESDAY - timedelta(microseconds=1), response_seconds=4.0),
        outbound(4, at=TUESDAY, response_seconds=8.0),
    )

    totals = await message_store.aggregates(query)

    assert (totals.response_seconds_total, totals.responses) == (6.0, 2)


async def test_an_empty_period_has_zero_everything(message_store: MessageStore) -> None:
    totals = await message_store.aggregates(WEEK)

    assert totals.volumes == [] and totals.outbound_by_status == {} and totals.failures == []
    assert (totals.response_seconds_total, totals.responses, totals.pricing) == (0.0, 0, [])
