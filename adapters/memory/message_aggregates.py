"""Analytics over the messages held in memory: the same counts SQL or Firestore aggregate where they live."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC

from domain.analytics import AnalyticsQuery, DailyVolume, FailureCount, MessageAggregates, PricingCount
from domain.messages import Direction, Message

NO_PRICING_TYPE = ""
"""Older (conversation-based) pricing objects carry no type; they are counted under an empty one."""


def aggregate(messages: Iterable[Message], query: AnalyticsQuery) -> MessageAggregates:
    chosen = [m for m in messages if _matches(m, query)]
    outbound = [m for m in chosen if m.direction is Direction.OUTBOUND]
    answered = [m.response_seconds for m in outbound if m.response_seconds is not None]
    return MessageAggregates(
        volumes=_volumes(chosen),
        outbound_by_status=dict(sorted(Counter(str(m.status.status) for m in outbound).items())),
        failures=_failures(chosen),
        response_seconds_total=float(sum(answered)),
        responses=len(answered),
        pricing=_pricing(chosen),
    )


def _matches(message: Message, query: AnalyticsQuery) -> bool:
    in_period = query.since <= message.created_at < query.until
    return in_period and query.phone_number_id in (None, message.phone_number_id)


def _volumes(messages: list[Message]) -> list[DailyVolume]:
    """Days are UTC days, whatever offset a time was stored with."""
    counts = Counter(
        (m.created_at.astimezone(UTC).date().isoformat(), str(m.direction)) for m in messages
    )
    return [DailyVolume(day=day, direction=direction, count=n) for (day, direction), n in sorted(counts.items())]


def _failures(messages: list[Message]) -> list[FailureCount]:
    counts = Counter((f.code, f.title) for m in messages if (f := m.status.failure) is not None)
    return [FailureCount(code=code, title=title, count=n) for (code, title), n in sorted(counts.items())]


def _pricing(messages: list[Message]) -> list[PricingCount]:
    counts = Counter(
        (p.category, NO_PRICING_TYPE if p.type is None else p.type)
        for m in messages
        if (p := m.pricing) is not None
    )
    return [PricingCount(category=category, type=kind, count=n) for (category, kind), n in sorted(counts.items())]
