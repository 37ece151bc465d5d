"""MessageAnalytics contract: the counts analytics are built from, over [since, until) on quarter hours.

Firestore answers from tallies kept at write time, so every test here also checks that writes (adds and
status updates) keep them in step.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from application.ports import MessageStore
from domain.analytics import (
    AnalyticsQuery,
    DailyVolume,
    FailureCount,
    PricingCount,
    QuarterHourCount,
    TemplateStatusCount,
    nearest_rank,
)
from domain.content import Template, TemplateLanguage
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


def template(n: int, name: str, language: str = "en_US") -> Message:
    return outbound(n, content=Template(name=name, language=TemplateLanguage(code=language)))


async def store_all(store: MessageStore, *messages: Message) -> None:
    for message in messages:
        assert await store.add(message)


async def move_to(store: MessageStore, message: Message, status: MessageStatus, failure: Failure | None = None) -> None:
    """A status webhook: the stored message changes, and so must every count built from it."""
    assert await store.update(message.id, lambda m: reached(m, status, failure)) is not None


async def test_volumes_are_counted_per_utc_day_and_direction(message_store: MessageStore) -> None:
    await store_all(
        message_store,
        inbound(1, at=MONDAY), inbound(2, at=MONDAY + minutes(5)), outbound(3, at=MONDAY + minutes(6)),
        outbound(4, at=TUESDAY),
    )

    assert await message_store.analytics.daily_volumes(WEEK) == [
        DailyVolume(day="2025-06-02", direction="inbound", count=2),
        DailyVolume(day="2025-06-02", direction="outbound", count=1),
        DailyVolume(day="2025-06-03", direction="outbound", count=1),
    ]


async def test_outbound_messages_are_counted_by_their_current_status(message_store: MessageStore) -> None:
    first, second = outbound(1), outbound(2)
    await store_all(message_store, first, second, reached(outbound(3), MessageStatus.READ), outbound(4), inbound(5))
    await move_to(message_store, first, MessageStatus.DELIVERED)
    await move_to(message_store, second, MessageStatus.SENT)
    await move_to(message_store, second, MessageStatus.READ)

    assert await message_store.analytics.outbound_by_status(WEEK) == {"delivered": 1, "queued": 1, "read": 2}


async def test_failures_are_counted_per_meta_code_and_title(message_store: MessageStore) -> None:
    late = outbound(3)
    await store_all(
        message_store,
        reached(outbound(1), MessageStatus.FAILED, UNDELIVERABLE),
        reached(outbound(2), MessageStatus.FAILED, UNDELIVERABLE),
        late, reached(outbound(4), MessageStatus.SENT),
    )
    await move_to(message_store, late, MessageStatus.FAILED, OUTSIDE_WINDOW)

    assert await message_store.analytics.failures(WEEK) == [
        FailureCount(code=131026, title="Message undeliverable", count=2),
        FailureCount(code=131047, title="Re-engagement message", count=1),
    ]
    assert (await message_store.analytics.outbound_by_status(WEEK))["failed"] == 3


async def test_billed_messages_are_counted_per_pricing_category_and_type(message_store: MessageStore) -> None:
    marketing = Pricing(category="marketing", type="regular")
    service = Pricing(category="service", type="free_customer_service")
    await store_all(
        message_store,
        outbound(1, pricing=marketing), outbound(2, pricing=marketing), outbound(3, pricing=service), outbound(4),
        outbound(5, pricing=Pricing(category="utility")),
    )

    assert await message_store.analytics.pricing(WEEK) == [
        PricingCount(category="marketing", type="regular", count=2),
        PricingCount(category="service", type="free_customer_service", count=1),
        PricingCount(category="utility", type="", count=1),
    ]


async def test_first_responses_give_per_day_count_total_and_nearest_rank_percentiles(
    message_store: MessageStore,
) -> None:
    monday = [12.0, 30.0, 45.0, 60.0, 90.0, 120.0, 300.0, 600.0, 900.0, 3600.0]
    await store_all(
        message_store,
        *(outbound(n, at=MONDAY + minutes(n), response_seconds=s) for n, s in enumerate(monday)),
        outbound(20, at=TUESDAY, response_seconds=42.0), outbound(21, at=TUESDAY), inbound(22, at=TUESDAY),
    )

    days = await message_store.analytics.response_times(WEEK)

    assert [(d.day, d.responses, d.total_seconds) for d in days] == [("2025-06-02", 10, 5757.0), ("2025-06-03", 1, 42.0)]
    exact = [(sorted(monday)[nearest_rank(50, 10) - 1], sorted(monday)[nearest_rank(90, 10) - 1]), (42.0, 42.0)]
    for day, (median, p90) in zip(days, exact, strict=True):
        assert_close(day.median_seconds, median, message_store)
        assert_close(day.p90_seconds, p90, message_store)


def assert_close(measured: float, exact: float, store: MessageStore) -> None:
    """Exact where the store says so; within domain.analytics.HISTOGRAM_ERROR where it keeps a histogram."""
    if store.analytics.percentiles_exact:
        assert measured == exact
    else:
        assert abs(measured - exact) <= max(0.01 * exact, 0.5)


async def test_customer_messages_are_counted_per_utc_quarter_hour(message_store: MessageStore) -> None:
    await store_all(
        message_store,
        inbound(1, at=MONDAY + minutes(1)), inbound(2, at=MONDAY + minutes(14)), inbound(3, at=MONDAY + minutes(15)),
        inbound(4, at=TUESDAY + minutes(50)), outbound(5, at=MONDAY),
    )

    assert await message_store.analytics.inbound_by_quarter_hour(WEEK) == [
        QuarterHourCount(starts_at=MONDAY, count=2),
        QuarterHourCount(starts_at=MONDAY + minutes(15), count=1),
        QuarterHourCount(starts_at=TUESDAY + minutes(45), count=1),
    ]


async def test_template_sends_are_counted_per_template_language_and_status(message_store: MessageStore) -> None:
    shipped = template(1, "order_shipped")
    await store_all(
        message_store, shipped, reached(template(2, "order_shipped"), MessageStatus.READ),
        reached(template(3, "order_shipped", "es"), MessageStatus.FAILED, UNDELIVERABLE), outbound(4),
    )
    await move_to(message_store, shipped, MessageStatus.DELIVERED)

    assert await message_store.analytics.template_statuses(WEEK) == [
        TemplateStatusCount(name="order_shipped", language="en_US", status="delivered", count=1),
        TemplateStatusCount(name="order_shipped", language="en_US", status="read", count=1),
        TemplateStatusCount(name="order_shipped", language="es", status="failed", count=1),
    ]


async def test_only_the_chosen_business_number_is_counted(message_store: MessageStore) -> None:
    await store_all(
        message_store, outbound(1, response_seconds=5.0), inbound(2),
        outbound(3, phone_number_id=SUPPORT_NUMBER, response_seconds=7.0), inbound(4, phone_number_id=SUPPORT_NUMBER),
    )
    shop = message_store.analytics
    query = msgspec.structs.replace(WEEK, phone_number_id=SHOP_NUMBER)

    assert await shop.daily_volumes(query) == [
        DailyVolume(day="2025-06-02", direction="inbound", count=1),
        DailyVolume(day="2025-06-02", direction="outbound", count=1),
    ]
    assert [d.total_seconds for d in await shop.response_times(query)] == [5.0]
    assert await shop.inbound_by_quarter_hour(query) == [QuarterHourCount(starts_at=MONDAY, count=1)]


async def test_the_period_includes_since_and_excludes_until_even_inside_a_day(message_store: MessageStore) -> None:
    """Bounds at 09:15 and 10:00 cut the day: the store counts only the quarter hours inside."""
    since, until = MONDAY + minutes(15), MONDAY + minutes(60)
    await store_all(
        message_store,
        inbound(1, at=since - timedelta(microseconds=1)), inbound(2, at=since),
        inbound(3, at=until - timedelta(microseconds=1)), inbound(4, at=until),
        outbound(5, at=since, response_seconds=2.0), outbound(6, at=until, response_seconds=8.0),
        reached(outbound(7, at=since), MessageStatus.FAILED, UNDELIVERABLE),
    )
    query = AnalyticsQuery(since=since, until=until)
    analytics = message_store.analytics

    assert await analytics.daily_volumes(query) == [
        DailyVolume(day="2025-06-02", direction="inbound", count=2),
        DailyVolume(day="2025-06-02", direction="outbound", count=2),
    ]
    assert [d.total_seconds for d in await analytics.response_times(query)] == [2.0]
    assert await analytics.failures(query) == [FailureCount(code=131026, title="Message undeliverable", count=1)]
    assert sum(q.count for q in await analytics.inbound_by_quarter_hour(query)) == 2


async def test_a_period_across_midnight_counts_both_partial_days(message_store: MessageStore) -> None:
    midnight = datetime(2025, 6, 3, tzinfo=UTC)
    await store_all(
        message_store, inbound(1, at=midnight - minutes(20)), inbound(2, at=midnight - minutes(10)),
        inbound(3, at=midnight + minutes(10)), inbound(4, at=midnight + minutes(20)),
    )

    counted = await message_store.analytics.daily_volumes(AnalyticsQuery(since=midnight - minutes(15), until=midnight + minutes(15)))

    assert counted == [
        DailyVolume(day="2025-06-02", direction="inbound", count=1),
        DailyVolume(day="2025-06-03", direction="inbound", count=1),
    ]


async def test_an_empty_period_has_zero_everything(message_store: MessageStore) -> None:
    analytics = message_store.analytics

    assert await analytics.daily_volumes(WEEK) == [] and await analytics.outbound_by_status(WEEK) == {}
    assert await analytics.failures(WEEK) == [] and await analytics.pricing(WEEK) == []
    assert await analytics.response_times(WEEK) == [] and await analytics.inbound_by_quarter_hour(WEEK) == []
    assert await analytics.template_statuses(WEEK) == []
