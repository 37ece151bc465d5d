"""Analytics over the messages held in memory: the same counts SQL or Firestore aggregate where they live."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from domain.analytics import (
    NO_PRICING_TYPE,
    RESOLUTION,
    AnalyticsQuery,
    DailyResponseTimes,
    DailyVolume,
    FailureCount,
    PricingCount,
    QuarterHourCount,
    TemplateStatusCount,
    daily_response_times,
)
from domain.content import Template
from domain.messages import Direction, Message

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InMemoryMessageAnalytics:
    percentiles_exact = True

    def __init__(self, messages: Callable[[], Iterable[Message]]) -> None:
        self._messages = messages

    async def daily_volumes(self, query: AnalyticsQuery) -> list[DailyVolume]:
        counts = Counter((_day(m), str(m.direction)) for m in self._chosen(query))
        return [DailyVolume(day=day, direction=direction, count=n) for (day, direction), n in sorted(counts.items())]

    async def outbound_by_status(self, query: AnalyticsQuery) -> dict[str, int]:
        return dict(sorted(Counter(str(m.status.status) for m in self._outbound(query)).items()))

    async def failures(self, query: AnalyticsQuery) -> list[FailureCount]:
        counts = Counter((f.code, f.title) for m in self._chosen(query) if (f := m.status.failure) is not None)
        return [FailureCount(code=code, title=title, count=n) for (code, title), n in sorted(counts.items())]

    async def pricing(self, query: AnalyticsQuery) -> list[PricingCount]:
        counts = Counter(
            (p.category, NO_PRICING_TYPE if p.type is None else p.type)
            for m in self._chosen(query)
            if (p := m.pricing) is not None
        )
        return [PricingCount(category=c, type=kind, count=n) for (c, kind), n in sorted(counts.items())]

    async def response_times(self, query: AnalyticsQuery) -> list[DailyResponseTimes]:
        by_day: dict[str, list[float]] = {}
        for m in self._outbound(query):
            if m.response_seconds is not None:
                by_day.setdefault(_day(m), []).append(m.response_seconds)
        days = []
        for day, times in sorted(by_day.items()):
            ordered = sorted(times)
            days.append(daily_response_times(day, len(ordered), sum(ordered), lambda rank: ordered[rank - 1]))
        return days

    async def inbound_by_quarter_hour(self, query: AnalyticsQuery) -> list[QuarterHourCount]:
        counts = Counter(
            m.created_at - (m.created_at - _EPOCH) % RESOLUTION
            for m in self._chosen(query)
            if m.direction is Direction.INBOUND
        )
        return [QuarterHourCount(starts_at=at.astimezone(UTC), count=n) for at, n in sorted(counts.items())]

    async def template_statuses(self, query: AnalyticsQuery) -> list[TemplateStatusCount]:
        counts = Counter(
            (m.content.name, m.content.language.code, str(m.status.status))
            for m in self._outbound(query)
            if isinstance(m.content, Template)
        )
        return [
            TemplateStatusCount(name=name, language=language, status=status, count=n)
            for (name, language, status), n in sorted(counts.items())
        ]

    def _chosen(self, query: AnalyticsQuery) -> list[Message]:
        return [
            m for m in self._messages()
            if query.since <= m.created_at < query.until and query.phone_number_id in (None, m.phone_number_id)
        ]

    def _outbound(self, query: AnalyticsQuery) -> list[Message]:
        return [m for m in self._chosen(query) if m.direction is Direction.OUTBOUND]


def _day(message: Message) -> str:
    """Days are UTC days, whatever offset a time was stored with."""
    return message.created_at.astimezone(UTC).date().isoformat()
