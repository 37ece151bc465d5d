from __future__ import annotations

from decimal import Decimal

import msgspec

from domain.analytics import (
    DEFAULT_PRICES,
    AnalyticsSummary,
    DailyVolume,
    EstimatedCost,
    FailureCount,
    MessageAggregates,
    PriceTable,
    PricingCount,
    StatusFunnel,
    average_first_response_seconds,
    conversations_by_category,
    delivery_rate,
    estimated_cost,
    failure_reasons,
    read_rate,
    status_funnel,
    summarize,
)

NOTHING = MessageAggregates(
    volumes=[], outbound_by_status={}, failures=[], response_seconds_total=0.0, responses=0, pricing=[]
)

EUROS = PriceTable(currency="EUR", rates={"marketing": Decimal("0.10"), "utility": Decimal("0.02")})


def aggregates(**fields: object) -> MessageAggregates:
    return msgspec.structs.replace(NOTHING, **fields)


def test_the_funnel_counts_a_read_message_as_sent_and_delivered_too() -> None:
    funnel = status_funnel(
        aggregates(
            outbound_by_status={
                "queued": 3,
                "accepted": 2,
                "sent": 10,
                "delivered": 20,
                "read": 30,
                "played": 5,
                "failed": 4,
            }
        )
    )

    assert funnel == StatusFunnel(outbound=74, sent=65, delivered=55, read=35)


def test_delivery_rate_is_delivered_or_beyond_over_sent_or_beyond() -> None:
    funnel = StatusFunnel(outbound=100, sent=80, delivered=60, read=15)

    assert delivery_rate(funnel) == 0.75


def test_read_rate_is_read_or_beyond_over_delivered_or_beyond() -> None:
    funnel = StatusFunnel(outbound=100, sent=80, delivered=60, read=15)

    assert read_rate(funnel) == 0.25


def test_rates_are_unknown_rather_than_zero_when_nothing_reached_the_step() -> None:
    funnel = StatusFunnel(outbound=5, sent=0, delivered=0, read=0)

    assert delivery_rate(funnel) is None
    assert read_rate(funnel) is None


def test_failure_reasons_come_most_frequent_first() -> None:
    rare = FailureCount(code=131026, title="Message undeliverable", count=2)
    common = FailureCount(code=131047, title="Re-engagement message", count=9)
    middling = FailureCount(code=130429, title="Rate limit hit", count=5)

    assert failure_reasons(aggregates(failures=[rare, common, middling])) == [common, middling, rare]


def test_average_first_response_time_divides_the_total_by_the_responses() -> None:
    assert average_first_response_seconds(aggregates(response_seconds_total=900.0, responses=4)) == 225.0


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

    cost = estimated_cost(aggregates(pricing=pricing), EUROS)

    assert cost == EstimatedCost(currency="EUR", amount=Decimal("0.80"), unpriced={})


def test_charged_messages_without_a_rate_are_reported_not_priced_at_zero() -> None:
    pricing = [
        PricingCount(category="authentication", type="regular", count=3),
        PricingCount(category="marketing", type="regular", count=1),
    ]

    cost = estimated_cost(aggregates(pricing=pricing), EUROS)

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
            response_seconds_total=120.0,
            responses=2,
            pricing=[PricingCount(category="marketing", type="regular", count=8)],
        ),
        EUROS,
    )

    assert summary == AnalyticsSummary(
        volumes=volumes,
        funnel=StatusFunnel(outbound=10, sent=8, delivered=8, read=4),
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
        funnel=StatusFunnel(outbound=0, sent=0, delivered=0, read=0),
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
