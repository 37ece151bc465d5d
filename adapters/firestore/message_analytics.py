"""Analytics from the day tallies alone (see day_tallies): no query reads or counts messages, so each answer
takes the same time over ten thousand messages or ten million.

First-response percentiles come from a histogram (domain.analytics.HISTOGRAM_ERROR states their error).
"""

from __future__ import annotations

from typing import Any

import msgspec

from adapters.firestore.day_tallies import read_days, read_quarters
from adapters.firestore.message_fields import RESPONSE_SECONDS
from domain.analytics import (
    AnalyticsQuery,
    DailyResponseTimes,
    DailyVolume,
    FailureCount,
    PricingCount,
    QuarterHourCount,
    TemplateStatusCount,
    daily_response_times,
    histogram_value_at_rank,
)
from domain.messages import Direction


class FirestoreMessageAnalytics:
    percentiles_exact = False

    def __init__(self, client: Any) -> None:
        self._client = client

    async def daily_volumes(self, query: AnalyticsQuery) -> list[DailyVolume]:
        days = await read_days(self._client, "volume", query)
        return [
            DailyVolume(day=day, direction=direction, count=int(n))
            for day, by_direction in days.items() for direction, n in sorted(by_direction.items())
        ]

    async def outbound_by_status(self, query: AnalyticsQuery) -> dict[str, int]:
        return {status: int(n) for status, n in sorted(_summed(await read_days(self._client, "status", query)).items())}

    async def failures(self, query: AnalyticsQuery) -> list[FailureCount]:
        totals = _summed(await read_days(self._client, "failure", query))
        failures = [_labels(key, tuple[int, str]) + (n,) for key, n in totals.items()]
        return [FailureCount(code=code, title=title, count=int(n)) for code, title, n in sorted(failures)]

    async def pricing(self, query: AnalyticsQuery) -> list[PricingCount]:
        totals = _summed(await read_days(self._client, "pricing", query))
        pricing = [_labels(key, tuple[str, str]) + (n,) for key, n in totals.items()]
        return [PricingCount(category=category, type=kind, count=int(n)) for category, kind, n in sorted(pricing)]

    async def response_times(self, query: AnalyticsQuery) -> list[DailyResponseTimes]:
        days = []
        for day, buckets in (await read_days(self._client, "response", query)).items():
            histogram = {int(bucket): int(n) for bucket, n in buckets.items() if bucket != RESPONSE_SECONDS}
            total = float(buckets[RESPONSE_SECONDS])
            days.append(daily_response_times(
                day, sum(histogram.values()), total, lambda rank: histogram_value_at_rank(histogram, rank)
            ))
        return days

    async def inbound_by_quarter_hour(self, query: AnalyticsQuery) -> list[QuarterHourCount]:
        quarters = await read_quarters(self._client, "volume", query)
        inbound = str(Direction.INBOUND)
        return [
            QuarterHourCount(starts_at=starts_at, count=int(by_direction[inbound]))
            for starts_at, by_direction in quarters.items() if by_direction[inbound] > 0
        ]

    async def template_statuses(self, query: AnalyticsQuery) -> list[TemplateStatusCount]:
        totals = _summed(await read_days(self._client, "template", query))
        rows = [_labels(key, tuple[str, str, str]) + (n,) for key, n in totals.items()]
        return [
            TemplateStatusCount(name=name, language=language, status=status, count=int(n))
            for name, language, status, n in sorted(rows)
        ]


def _summed(days: dict[str, Any]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for by_key in days.values():
        for key, n in by_key.items():
            totals[key] = totals.get(key, 0) + n
    return {key: n for key, n in totals.items() if n}


def _labels(key: str, kind: Any) -> Any:
    return msgspec.json.decode(key, type=kind)
