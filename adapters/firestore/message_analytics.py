"""Analytics where the data lives: aggregation queries (count, sum) and the sharded day tallies.

Whole days in the period are read from the tallies; a day the period only partly covers is refined
with one count query per label that day's tallies list, so no message is ever streamed into Python.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.day_tallies import read_tallies
from adapters.firestore.message_fields import Tally
from domain.analytics import AnalyticsQuery, DailyVolume, FailureCount, MessageAggregates, PricingCount
from domain.messages import Direction
from domain.status import MessageStatus

DAY = timedelta(days=1)
Piece = tuple[date, datetime, datetime]


async def aggregate(client: Any, query: AnalyticsQuery) -> MessageAggregates:
    scope = _Scope(client, query)
    volumes, failures, pricing, by_status, (total, responses) = await asyncio.gather(
        scope.tallied("volume"), scope.tallied("failure"), scope.tallied("pricing"),
        scope.outbound_by_status(), scope.responses(),
    )
    return MessageAggregates(
        volumes=[DailyVolume(day=day, direction=str(labels[0][1]), count=n) for (day, labels), n in volumes],
        outbound_by_status=by_status,
        failures=[FailureCount(code=int(c[1]), title=str(t[1]), count=n) for (_, (c, t)), n in _undated(failures)],
        response_seconds_total=total,
        responses=responses,
        pricing=[PricingCount(category=str(c[1]), type=str(t[1]), count=n) for (_, (c, t)), n in _undated(pricing)],
    )


class _Scope:
    """The messages of one AnalyticsQuery: created in [since, until), optionally of one business number."""

    def __init__(self, client: Any, query: AnalyticsQuery) -> None:
        self._client = client
        self._query = query
        self._pieces = _split_by_utc_day(query.since, query.until)

    def messages(self, since: datetime, until: datetime, **equal: object) -> Any:
        query = self._client.collection("messages")
        if self._query.phone_number_id is not None:
            equal["phone_number_id"] = self._query.phone_number_id
        for field, value in equal.items():
            query = query.where(filter=FieldFilter(field, "==", value))
        query = query.where(filter=FieldFilter("created_at", ">=", since))
        return query.where(filter=FieldFilter("created_at", "<", until))

    async def tallied(self, metric: str) -> list[tuple[tuple[str, Any], int]]:
        """(day, labels) -> count, sorted; partial days get exact counts from count queries."""
        if not self._pieces:
            return []
        first, last = self._pieces[0][0], self._pieces[-1][0]
        counts = await read_tallies(self._client, metric, first, last, self._query.phone_number_id)
        partial = {day: (lo, hi) for day, lo, hi in self._pieces if (lo, hi) != _whole(day)}
        exact = await asyncio.gather(*(self._refine(t, *partial[date.fromisoformat(t.day)]) for t in counts
                                       if date.fromisoformat(t.day) in partial))
        merged: Counter[tuple[str, Any]] = Counter()
        for tally, n in counts.items():
            if date.fromisoformat(tally.day) not in partial:
                merged[(tally.day, tally.labels)] += n
        for tally, n in exact:
            merged[(tally.day, tally.labels)] += n
        return sorted((+merged).items())

    async def _refine(self, tally: Tally, since: datetime, until: datetime) -> tuple[Tally, int]:
        return tally, await _count(self.messages(since, until, **dict(tally.labels)))

    async def outbound_by_status(self) -> dict[str, int]:
        statuses = list(MessageStatus)
        since, until, outbound = self._query.since, self._query.until, str(Direction.OUTBOUND)
        counts = await asyncio.gather(
            *(_count(self.messages(since, until, direction=outbound, status=str(s))) for s in statuses)
        )
        return dict(sorted((str(s), n) for s, n in zip(statuses, counts) if n))

    async def responses(self) -> tuple[float, int]:
        answered = self.messages(self._query.since, self._query.until, responded=True)
        aggregation = answered.count(alias="responses").sum("response_seconds", alias="total")
        results = {result.alias: result.value for result in (await aggregation.get())[0]}
        return float(results["total"] or 0), int(results["responses"])


async def _count(query: Any) -> int:
    return int((await query.count(alias="n").get())[0][0].value)


def _undated(items: list[tuple[tuple[str, Any], int]]) -> list[tuple[tuple[str, Any], int]]:
    """Failures and pricing are reported for the whole period, not per day."""
    totals: Counter[tuple[str, Any]] = Counter()
    for (_, labels), n in items:
        totals[("", labels)] += n
    return sorted(totals.items())


def _whole(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + DAY


def _split_by_utc_day(since: datetime, until: datetime) -> list[Piece]:
    """The period cut at UTC midnights: each piece is a day and the part of it inside the period."""
    pieces: list[Piece] = []
    day = since.astimezone(UTC).date()
    while (bounds := _whole(day))[0] < until:
        pieces.append((day, max(since, bounds[0]), min(until, bounds[1])))
        day += DAY
    return pieces
