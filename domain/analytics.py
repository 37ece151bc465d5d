"""Analytics: what each metric means, as pure functions over aggregates the stores compute.

Stores never hand every message to Python; they return counts and sums (`MessageAggregates`),
and the definitions of rates, funnels and costs live here once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from domain.ids import PhoneNumberId
from domain.status import MessageStatus


class AnalyticsQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Messages created in [since, until), optionally for one business number."""

    since: datetime
    until: datetime
    phone_number_id: PhoneNumberId | None = None


class DailyVolume(msgspec.Struct, frozen=True, kw_only=True):
    day: str
    direction: str
    count: int


class FailureCount(msgspec.Struct, frozen=True, kw_only=True):
    code: int
    title: str
    count: int


class PricingCount(msgspec.Struct, frozen=True, kw_only=True):
    category: str
    type: str
    count: int


class MessageAggregates(msgspec.Struct, frozen=True, kw_only=True):
    volumes: list[DailyVolume]
    outbound_by_status: dict[str, int]
    failures: list[FailureCount]
    response_seconds_total: float
    responses: int
    pricing: list[PricingCount]


class StatusFunnel(msgspec.Struct, frozen=True, kw_only=True):
    """Outbound messages that reached at least each step; a read message was also sent and delivered."""

    outbound: int
    sent: int
    delivered: int
    read: int


class PriceTable(msgspec.Struct, frozen=True, kw_only=True):
    """Price of one charged message per pricing category, in `currency`.

    Meta's rates also depend on the recipient's country and monthly volume tier, so this is an
    estimate unless configured with the business's own rate card.
    """

    currency: str
    rates: dict[str, Decimal]


DEFAULT_PRICES = PriceTable(
    currency="USD",
    rates={
        "marketing": Decimal("0.025"),
        "utility": Decimal("0.004"),
        "authentication": Decimal("0.004"),
        "authentication_international": Decimal("0.03"),
    },
)
"""Rough placeholders, not any country's rates: configure with your rate card."""


class EstimatedCost(msgspec.Struct, frozen=True, kw_only=True):
    """`unpriced` counts charged messages whose category has no rate, so a gap in the table shows."""

    currency: str
    amount: Decimal
    unpriced: dict[str, int]


class AnalyticsSummary(msgspec.Struct, frozen=True, kw_only=True):
    volumes: list[DailyVolume]
    funnel: StatusFunnel
    delivery_rate: float | None
    read_rate: float | None
    failure_reasons: list[FailureCount]
    average_first_response_seconds: float | None
    conversations_by_category: dict[str, int]
    estimated_cost: EstimatedCost


_SENT_OR_BEYOND = frozenset({MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED})
_DELIVERED_OR_BEYOND = frozenset({MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED})
_READ_OR_BEYOND = frozenset({MessageStatus.READ, MessageStatus.PLAYED})
_CHARGED = "regular"


def status_funnel(aggregates: MessageAggregates) -> StatusFunnel:
    """Counts are by current status, and statuses only move forward, so each step sums the later ones.

    A failed message counts at no step: which steps it passed before failing is not in the counts.
    """
    by_status = aggregates.outbound_by_status
    return StatusFunnel(
        outbound=sum(by_status.values()),
        sent=sum(by_status.get(status, 0) for status in _SENT_OR_BEYOND),
        delivered=sum(by_status.get(status, 0) for status in _DELIVERED_OR_BEYOND),
        read=sum(by_status.get(status, 0) for status in _READ_OR_BEYOND),
    )


def delivery_rate(funnel: StatusFunnel) -> float | None:
    return _ratio(funnel.delivered, funnel.sent)


def read_rate(funnel: StatusFunnel) -> float | None:
    """Read receipts only come from users who leave them on, so this is a lower bound."""
    return _ratio(funnel.read, funnel.delivered)


def failure_reasons(aggregates: MessageAggregates) -> list[FailureCount]:
    return sorted(aggregates.failures, key=lambda failure: (-failure.count, failure.code, failure.title))


def average_first_response_seconds(aggregates: MessageAggregates) -> float | None:
    if aggregates.responses == 0:
        return None
    return aggregates.response_seconds_total / aggregates.responses


def conversations_by_category(aggregates: MessageAggregates) -> dict[str, int]:
    """Since per-message pricing (July 2025) each count is a priced message, not a 24 h conversation."""
    totals: dict[str, int] = {}
    for priced in aggregates.pricing:
        totals[priced.category] = totals.get(priced.category, 0) + priced.count
    return totals


def estimated_cost(aggregates: MessageAggregates, prices: PriceTable) -> EstimatedCost:
    """Meta charges only pricing type `regular`; `free_customer_service` and `free_entry_point` cost nothing."""
    amount = Decimal(0)
    unpriced: dict[str, int] = {}
    for priced in aggregates.pricing:
        if priced.type != _CHARGED:
            continue
        rate = prices.rates.get(priced.category)
        if rate is None:
            unpriced[priced.category] = unpriced.get(priced.category, 0) + priced.count
        else:
            amount += rate * priced.count
    return EstimatedCost(currency=prices.currency, amount=amount, unpriced=unpriced)


def summarize(aggregates: MessageAggregates, prices: PriceTable) -> AnalyticsSummary:
    funnel = status_funnel(aggregates)
    return AnalyticsSummary(
        volumes=aggregates.volumes,
        funnel=funnel,
        delivery_rate=delivery_rate(funnel),
        read_rate=read_rate(funnel),
        failure_reasons=failure_reasons(aggregates),
        average_first_response_seconds=average_first_response_seconds(aggregates),
        conversations_by_category=conversations_by_category(aggregates),
        estimated_cost=estimated_cost(aggregates, prices),
    )


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole
