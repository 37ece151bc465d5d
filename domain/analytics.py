"""Analytics: what each metric means, as pure functions over aggregates the stores compute.

Stores never hand every message to Python; they return counts and sums (`MessageAggregates`),
and the definitions of rates, funnels and costs live here once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec

from domain.ids import PhoneNumberId
from domain.status import MessageStatus

RESOLUTION = timedelta(minutes=15)
"""Periods start and end on a quarter hour (UTC): every time zone's midnight and hours fall on one, and a
store that keeps tallies per quarter hour (Firestore) answers any period exactly from them."""

QUIET_PERIOD = timedelta(hours=1)
"""A customer's message starts a new request when nothing was said in the thread, either way, for this long
before it (or it is the thread's first). Only the business's first reply to such a message is a first
response: a quick back-and-forth in a live chat says nothing about how long customers wait to be picked up.
"""

MEDIAN, P90 = 50, 90
"""First-response percentiles, by nearest rank: the value at rank ceil(p/100 * n) of the n sorted times."""

HISTOGRAM_GROWTH = 1.02
"""Stores that keep first-response times as a histogram (Firestore) use buckets [G^(i-1), G^i) seconds and
report the bucket's geometric middle: within HISTOGRAM_ERROR of the exact percentile."""

HISTOGRAM_ERROR = "within 1 % of the exact value (0.5 s for times under a second)"

CLOSING_SOON = timedelta(hours=2)
"""A conversation whose window closes within this, with the customer's last message unanswered, is about to
be lost: after the window only a paid template can reach the customer."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AnalyticsQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Messages created in [since, until), optionally for one business number; bounds on a quarter hour."""

    since: datetime
    until: datetime
    phone_number_id: PhoneNumberId | None = None

    def __post_init__(self) -> None:
        for bound in (self.since, self.until):
            if (bound - _EPOCH) % RESOLUTION:
                raise ValueError(f"analytics periods start and end on a quarter hour, not at {bound.isoformat()}")


def covering_period(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """The smallest quarter-hour-aligned period holding [since, until)."""
    start = since - (since - _EPOCH) % RESOLUTION
    end = until + (-(until - _EPOCH)) % RESOLUTION
    return start, end


def opens_request(last_activity_at: datetime | None, at: datetime) -> bool:
    """Whether a customer's message at `at` starts a new request (see QUIET_PERIOD)."""
    return last_activity_at is None or at - last_activity_at >= QUIET_PERIOD


def nearest_rank(percent: int, count: int) -> int:
    """The 1-based rank of the `percent`-th percentile among `count` sorted values (count > 0)."""
    return max(1, -(-percent * count // 100))


class DailyVolume(msgspec.Struct, frozen=True, kw_only=True):
    day: str
    direction: str
    count: int


class DailyResponseTimes(msgspec.Struct, frozen=True, kw_only=True):
    """First responses given on one UTC day: how many, their sum (for the mean) and percentiles."""

    day: str
    responses: int
    total_seconds: float
    median_seconds: float
    p90_seconds: float


class QuarterHourCount(msgspec.Struct, frozen=True, kw_only=True):
    starts_at: datetime
    count: int


class HeatmapCell(msgspec.Struct, frozen=True, kw_only=True):
    """Customer messages on one weekday (0 = Monday) and hour of the day, in the chosen time zone."""

    weekday: int
    hour: int
    count: int


class TemplateStatusCount(msgspec.Struct, frozen=True, kw_only=True):
    """Template sends of one template in one language whose current status is `status`."""

    name: str
    language: str
    status: str
    count: int


class TemplatePerformance(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    language: str
    sent: int
    delivered: int
    read: int
    failed: int
    read_rate: float | None


class FailureCount(msgspec.Struct, frozen=True, kw_only=True):
    code: int
    title: str
    count: int


NO_PRICING_TYPE = ""
"""Older (conversation-based) pricing objects carry no type; they are counted under an empty one."""


class PricingCount(msgspec.Struct, frozen=True, kw_only=True):
    category: str
    type: str
    count: int


class MessageAggregates(msgspec.Struct, frozen=True, kw_only=True):
    volumes: list[DailyVolume]
    outbound_by_status: dict[str, int]
    failures: list[FailureCount]
    response_times: list[DailyResponseTimes]
    pricing: list[PricingCount]


class StatusFunnel(msgspec.Struct, frozen=True, kw_only=True):
    """Outbound messages that reached at least each step; a read message was also sent and delivered.

    `outbound` is every message queued to go out; `failed` ones count at no other step.
    """

    outbound: int
    sent: int
    delivered: int
    read: int
    failed: int


class FunnelRates(msgspec.Struct, frozen=True, kw_only=True):
    """Each step over the one before it; None when there was nothing to divide by."""

    sent_rate: float | None
    delivery_rate: float | None
    read_rate: float | None
    failure_rate: float | None


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


class PricedCount(msgspec.Struct, frozen=True, kw_only=True):
    """`estimated_cost` is None when the category is charged but has no rate in the price table."""

    category: str
    type: str
    count: int
    estimated_cost: Decimal | None


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


def status_funnel(by_status: Mapping[str, int]) -> StatusFunnel:
    """Counts are by current status, and statuses only move forward, so each step sums the later ones.

    A failed message counts at no step but `failed`: which steps it passed before failing is not in the counts.
    """
    return StatusFunnel(
        outbound=sum(by_status.values()),
        sent=sum(by_status.get(status, 0) for status in _SENT_OR_BEYOND),
        delivered=sum(by_status.get(status, 0) for status in _DELIVERED_OR_BEYOND),
        read=sum(by_status.get(status, 0) for status in _READ_OR_BEYOND),
        failed=by_status.get(MessageStatus.FAILED, 0),
    )


def funnel_rates(funnel: StatusFunnel) -> FunnelRates:
    return FunnelRates(
        sent_rate=_ratio(funnel.sent, funnel.outbound),
        delivery_rate=delivery_rate(funnel),
        read_rate=read_rate(funnel),
        failure_rate=_ratio(funnel.failed, funnel.outbound),
    )


def delivery_rate(funnel: StatusFunnel) -> float | None:
    return _ratio(funnel.delivered, funnel.sent)


def read_rate(funnel: StatusFunnel) -> float | None:
    """Read receipts only come from users who leave them on, so this is a lower bound."""
    return _ratio(funnel.read, funnel.delivered)


def failure_reasons(failures: Iterable[FailureCount]) -> list[FailureCount]:
    """Most frequent first."""
    return sorted(failures, key=lambda failure: (-failure.count, failure.code, failure.title))


def average_first_response_seconds(aggregates: MessageAggregates) -> float | None:
    responses = sum(day.responses for day in aggregates.response_times)
    if responses == 0:
        return None
    return sum(day.total_seconds for day in aggregates.response_times) / responses


def daily_response_times(
    day: str, responses: int, total_seconds: float, value_at_rank: Callable[[int], float]
) -> DailyResponseTimes:
    """One day's figures, given how a store finds the value at a 1-based rank of its sorted times."""
    return DailyResponseTimes(
        day=day,
        responses=responses,
        total_seconds=total_seconds,
        median_seconds=value_at_rank(nearest_rank(MEDIAN, responses)),
        p90_seconds=value_at_rank(nearest_rank(P90, responses)),
    )


def histogram_bucket(seconds: float) -> int:
    return 0 if seconds < 1 else 1 + math.floor(math.log(seconds) / math.log(HISTOGRAM_GROWTH))


def histogram_value_at_rank(histogram: Mapping[int, int], rank: int) -> float:
    """The middle of the bucket holding the `rank`-th smallest time (see HISTOGRAM_ERROR)."""
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return 0.5 if bucket == 0 else float(HISTOGRAM_GROWTH ** (bucket - 1) * math.sqrt(HISTOGRAM_GROWTH))
    raise ValueError(f"rank {rank} is beyond the {seen} times in the histogram")


def weekly_heatmap(counts: Iterable[QuarterHourCount], zone: ZoneInfo) -> list[HeatmapCell]:
    """All 168 weekday x hour cells in `zone`; each quarter hour lands by its own local time, so DST is exact."""
    cells = [[0] * 24 for _ in range(7)]
    for quarter in counts:
        local = quarter.starts_at.astimezone(zone)
        cells[local.weekday()][local.hour] += quarter.count
    return [HeatmapCell(weekday=d, hour=h, count=cells[d][h]) for d in range(7) for h in range(24)]


def template_performance(rows: Iterable[TemplateStatusCount]) -> list[TemplatePerformance]:
    """Per template and language, the same funnel as all sends; read rate over delivered, as `read_rate`."""
    by_template: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        counts = by_template.setdefault((row.name, row.language), {})
        counts[row.status] = counts.get(row.status, 0) + row.count
    performance = []
    for (name, language), by_status in sorted(by_template.items()):
        funnel = status_funnel(by_status)
        performance.append(TemplatePerformance(
            name=name, language=language, sent=funnel.sent, delivered=funnel.delivered, read=funnel.read,
            failed=funnel.failed, read_rate=read_rate(funnel),
        ))
    return performance


def conversations_by_category(aggregates: MessageAggregates) -> dict[str, int]:
    """Since per-message pricing (July 2025) each count is a priced message, not a 24 h conversation."""
    totals: dict[str, int] = {}
    for priced in aggregates.pricing:
        totals[priced.category] = totals.get(priced.category, 0) + priced.count
    return totals


def priced_counts(pricing: Iterable[PricingCount], prices: PriceTable) -> list[PricedCount]:
    """Meta charges only pricing type `regular`; `free_customer_service` and `free_entry_point` cost nothing."""
    priced = []
    for row in pricing:
        rate = prices.rates.get(row.category) if row.type == _CHARGED else Decimal(0)
        cost = None if rate is None else rate * row.count
        priced.append(PricedCount(category=row.category, type=row.type, count=row.count, estimated_cost=cost))
    return priced


def estimated_cost(pricing: Iterable[PricingCount], prices: PriceTable) -> EstimatedCost:
    amount = Decimal(0)
    unpriced: dict[str, int] = {}
    for row in priced_counts(pricing, prices):
        if row.estimated_cost is None:
            unpriced[row.category] = unpriced.get(row.category, 0) + row.count
        else:
            amount += row.estimated_cost
    return EstimatedCost(currency=prices.currency, amount=amount, unpriced=unpriced)


def summarize(aggregates: MessageAggregates, prices: PriceTable) -> AnalyticsSummary:
    funnel = status_funnel(aggregates.outbound_by_status)
    return AnalyticsSummary(
        volumes=aggregates.volumes,
        funnel=funnel,
        delivery_rate=delivery_rate(funnel),
        read_rate=read_rate(funnel),
        failure_reasons=failure_reasons(aggregates.failures),
        average_first_response_seconds=average_first_response_seconds(aggregates),
        conversations_by_category=conversations_by_category(aggregates),
        estimated_cost=estimated_cost(aggregates.pricing, prices),
    )


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole
