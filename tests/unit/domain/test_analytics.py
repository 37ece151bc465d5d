from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.analytics import (
    DEFAULT_PRICES,
    MEDIAN,
    P90,
    QUIET_PERIOD,
    AnalyticsQuery,
    AnalyticsSummary,
    DailyResponseTimes,
    DailyVolume,
    EstimatedCost,
    FailureCount,
    FunnelRates,
    MessageAggregates,
    PriceTable,
    PricingCount,
    QuarterHourCount,
    StatusFunnel,
    TemplatePerformance,
    TemplateStatusCount,
    average_first_response_seconds,
    conversations_by_category,
    covering_period,
    daily_response_times,
    delivery_rate,
    estimated_cost,
    failure_reasons,
    funnel_rates,
    histogram_bucket,
    histogram_value_at_rank,
    nearest_rank,
    opens_request,
    priced_counts,
    read_rate,
    status_funnel,
    summarize,
    template_performance,
    weekly_heatmap,
)

NOTHING = MessageAggregates(volumes=[], outbound_by_status={}, failures=[], response_times=[], pricing=[])

EUROS = PriceTable(currency="EUR", rates={"marketing": Decimal("0.10"), "utility": Decimal("0.02")})


def aggregates(**fields: object) -> MessageAggregates:
    return msgspec.structs.replace(NOTHING, **fields)


def test_the_funnel_counts_a_read_message_as_sent_and_delivered_too() -> None:
    funnel = status_funnel(
        {"queued": 3, "accepted": 2, "sent": 10, "delivered": 20, "read": 30, "played": 5, "failed": 4}
    )

    assert funnel == StatusFunnel(outbound=74, sent=65, delivered=55, read=35, failed=4)


def test_delivery_rate_is_delivered_or_beyond_over_sent_or_beyond() -> None:
    funnel = StatusFunnel(outbound=100, sent=80, delivered=60, read=15, failed=20)

    assert delivery_rate(funnel) == 0.75


def test_read_rate_is_read_or_beyond_over_delivered_or_beyond() -> None:
    funnel = StatusFunnel(outbound=100, sent=80, delivered=60, read=15, failed=20)

    assert read_rate(funnel) == 0.25


def test_rates_are_unknown_rather_than_zero_when_nothing_reached_the_step() -> None:
    funnel = StatusFunnel(outbound=5, sent=0, delivered=0, read=0, failed=0)

    assert delivery_rate(funnel) is None
    assert read_rate(funnel) is None


def test_failure_reasons_come_most_frequent_first() -> None:
    rare = FailureCount(code=131026, title="Message undeliverable", count=2)
    common = FailureCount(code=131047, title="Re-engagement message", count=9)
    middling = FailureCount(code=130429, title="Rate limit hit", count=5)

    assert failure_reasons([rare, common, middling]) == [common, middling, rare]


def test_average_first_response_time_divides_the_total_by_the_responses() -> None:
    days = [
        DailyResponseTimes(day="2026-03-01", responses=3, total_seconds=600.0, median_seconds=1.0, p90_seconds=2.0),
        DailyResponseTimes(day="2026-03-02", responses=1, total_seconds=300.0, median_seconds=1.0, p90_seconds=2.0),
    ]

    assert average_first_response_seconds(aggregates(response_times=days)) == 225.0


def test_average_first_response_time_is_unknown_without_responses() -> None:
    assert average_first_response_seconds(NOTHING) is None


def test_conversations_are_summed_per_pricing_category_whatever_their_type() -> None:
    pricing = [
        PricingCount(category="marketing", type="regular", count=7),
        PricingCount(category="utility", type="regular", count=2),
        PricingCount(category="utility", type="free_customer_service", count=3),
        PricingCount(category="marketing", type="free_entry_point", count=1),
    ]

    assert conversations_by_category(aggregates(pricing=pricing)) == {"marketing": 8, "utility": 5}


def test_only_regular_pricing_is_charged_at_the_categorys_rate() -> None:
    pricing = [
        PricingCount(category="marketing", type="regular", count=7),
        PricingCount(category="utility", type="regular", count=5),
        PricingCount(category="utility", type="free_customer_service", count=40),
        PricingCount(category="marketing", type="free_entry_point", count=40),
        PricingCount(category="service", type="free_customer_service", count=100),
    ]

    cost = estimated_cost(pricing, EUROS)

    assert cost == EstimatedCost(currency="EUR", amount=Decimal("0.80"), unpriced={})


def test_charged_messages_without_a_rate_are_reported_not_priced_at_zero() -> None:
    pricing = [
        PricingCount(category="authentication", type="regular", count=3),
        PricingCount(category="marketing", type="regular", count=1),
    ]

    cost = estimated_cost(pricing, EUROS)

    assert cost.amount == Decimal("0.10")
    assert cost.unpriced == {"authentication": 3}


def test_the_default_prices_are_in_dollars_and_price_the_template_categories() -> None:
    assert DEFAULT_PRICES.currency == "USD"
    assert {"marketing", "utility", "authentication"} <= DEFAULT_PRICES.rates.keys()


def test_a_summary_gathers_every_metric() -> None:
    volumes = [
        DailyVolume(day="2026-03-01", direction="inbound", count=12),
        DailyVolume(day="2026-03-01", direction="outbound", count=10),
    ]
    failure = FailureCount(code=131047, title="Re-engagement message", count=2)

    summary = summarize(
        aggregates(
            volumes=volumes,
            outbound_by_status={"delivered": 4, "read": 4, "failed": 2},
            failures=[failure],
            response_times=[DailyResponseTimes(
                day="2026-03-01", responses=2, total_seconds=120.0, median_seconds=30.0, p90_seconds=90.0
            )],
            pricing=[PricingCount(category="marketing", type="regular", count=8)],
        ),
        EUROS,
    )

    assert summary == AnalyticsSummary(
        volumes=volumes,
        funnel=StatusFunnel(outbound=10, sent=8, delivered=8, read=4, failed=2),
        delivery_rate=1.0,
        read_rate=0.5,
        failure_reasons=[failure],
        average_first_response_seconds=60.0,
        conversations_by_category={"marketing": 8},
        estimated_cost=EstimatedCost(currency="EUR", amount=Decimal("0.80"), unpriced={}),
    )


def test_a_summary_of_nothing_is_empty_and_knows_no_rates() -> None:
    summary = summarize(NOTHING, DEFAULT_PRICES)

    assert summary == AnalyticsSummary(
        volumes=[],
        funnel=StatusFunnel(outbound=0, sent=0, delivered=0, read=0, failed=0),
        delivery_rate=None,
        read_rate=None,
        failure_reasons=[],
        average_first_response_seconds=None,
        conversations_by_category={},
        estimated_cost=EstimatedCost(currency="USD", amount=Decimal(0), unpriced={}),
    )


def test_a_summary_encodes_to_json_for_the_api() -> None:
    summary = summarize(NOTHING, DEFAULT_PRICES)

    assert msgspec.json.decode(msgspec.json.encode(summary), type=AnalyticsSummary) == summary


def test_funnel_rates_take_each_step_over_the_one_before_and_failures_over_all() -> None:
    rates = funnel_rates(StatusFunnel(outbound=100, sent=80, delivered=60, read=15, failed=20))

    assert rates == FunnelRates(sent_rate=0.8, delivery_rate=0.75, read_rate=0.25, failure_rate=0.2)


def test_periods_are_widened_to_whole_quarter_hours() -> None:
    since, until = covering_period(datetime(2026, 3, 1, 9, 7, tzinfo=UTC), datetime(2026, 3, 1, 10, 30, 1, tzinfo=UTC))

    assert (since, until) == (datetime(2026, 3, 1, 9, 0, tzinfo=UTC), datetime(2026, 3, 1, 10, 45, tzinfo=UTC))
    assert covering_period(since, until) == (since, until)


def test_a_query_off_the_quarter_hour_is_refused() -> None:
    with pytest.raises(ValueError, match="quarter hour"):
        AnalyticsQuery(since=datetime(2026, 3, 1, 9, 7, tzinfo=UTC), until=datetime(2026, 3, 2, tzinfo=UTC))


def test_a_message_opens_a_request_after_the_quiet_period_or_in_a_new_thread() -> None:
    last = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    assert opens_request(None, last)
    assert opens_request(last, last + QUIET_PERIOD)
    assert not opens_request(last, last + QUIET_PERIOD - timedelta(seconds=1))


def test_percentiles_are_taken_by_nearest_rank() -> None:
    times = [float(n) for n in range(1, 11)]

    day = daily_response_times("2026-03-01", len(times), sum(times), lambda rank: times[rank - 1])

    assert (day.median_seconds, day.p90_seconds, day.total_seconds) == (5.0, 9.0, 55.0)
    assert [nearest_rank(50, 1), nearest_rank(90, 1), nearest_rank(90, 11)] == [1, 1, 10]


@given(st.lists(st.floats(min_value=0, max_value=7 * 86400), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_a_histogram_percentile_is_within_the_stated_error(times: list[float]) -> None:
    ordered = sorted(times)
    histogram: dict[int, int] = {}
    for seconds in ordered:
        histogram[histogram_bucket(seconds)] = histogram.get(histogram_bucket(seconds), 0) + 1

    for percent in (MEDIAN, P90):
        rank = nearest_rank(percent, len(ordered))
        exact, approximate = ordered[rank - 1], histogram_value_at_rank(histogram, rank)
        assert abs(approximate - exact) <= max(0.01 * exact, 0.5)


def test_the_heatmap_places_each_quarter_hour_by_its_local_time_across_dst() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    winter = QuarterHourCount(starts_at=datetime(2026, 3, 27, 8, 45, tzinfo=UTC), count=2)  # Friday 09:45 CET
    summer = QuarterHourCount(starts_at=datetime(2026, 3, 30, 8, 45, tzinfo=UTC), count=3)  # Monday 10:45 CEST

    cells = weekly_heatmap([winter, summer], madrid)

    assert len(cells) == 168
    assert {(c.weekday, c.hour, c.count) for c in cells if c.count} == {(4, 9, 2), (0, 10, 3)}


def test_template_performance_runs_the_funnel_per_template_and_language() -> None:
    rows = [
        TemplateStatusCount(name="order_update", language="en_US", status="read", count=3),
        TemplateStatusCount(name="order_update", language="en_US", status="delivered", count=1),
        TemplateStatusCount(name="order_update", language="en_US", status="failed", count=2),
        TemplateStatusCount(name="order_update", language="es", status="sent", count=4),
    ]

    assert template_performance(rows) == [
        TemplatePerformance(name="order_update", language="en_US", sent=4, delivered=4, read=3, failed=2, read_rate=0.75),
        TemplatePerformance(name="order_update", language="es", sent=4, delivered=0, read=0, failed=0, read_rate=None),
    ]


def test_each_priced_row_costs_its_rate_when_charged_nothing_when_free_and_none_without_a_rate() -> None:
    rows = [
        PricingCount(category="marketing", type="regular", count=7),
        PricingCount(category="service", type="free_customer_service", count=2),
        PricingCount(category="authentication", type="regular", count=3),
    ]

    assert [r.estimated_cost for r in priced_counts(rows, EUROS)] == [Decimal("0.70"), Decimal(0), None]
