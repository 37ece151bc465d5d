"""Sharded per-day tallies of messages, kept in step with every write of a message.

One document per business number, UTC day and shard holds, for each metric, the day's counts
(`counts.<metric>`: key -> count) and the same per quarter hour (`quarters.<metric>`: quarter -> key -> count).
A period's whole days are read from the day counts, the at most two days it cuts from the quarter counts,
so a query reads (days x SHARDS) documents however many messages there are. A document sustains about one
write per second, so a writer picks one of SHARDS at random and a reader sums them.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, date, datetime, timedelta
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import document_key
from adapters.firestore.message_fields import QUARTER_MINUTES, Tally, tallies
from domain.analytics import RESOLUTION, AnalyticsQuery
from domain.messages import Message

SHARDS = 10
COLLECTION = "message_day_tallies"
DAY = timedelta(days=1)

DayCounts = dict[str, Counter[str]]
"""UTC day (ISO) -> key -> count, summed over shards and business numbers."""


def count_change(writer: Any, client: Any, before: Message | None, after: Message) -> None:
    """Add the writes that move the tallies from `before` to `after` to a batch or transaction."""
    old = tallies(before) if before is not None else {}
    new = tallies(after)
    changes: dict[tuple[str, str], dict[Tally, float]] = {}
    for tally in old.keys() | new.keys():
        delta = new.get(tally, 0) - old.get(tally, 0)
        if delta:
            changes.setdefault((tally.phone_number_id, tally.day), {})[tally] = delta
    for (phone_number_id, day), deltas in changes.items():
        key = document_key(phone_number_id, day, str(random.randrange(SHARDS)))
        document: dict[str, Any] = {"phone_number_id": phone_number_id, "day": day}
        counts: dict[str, Any] = document.setdefault("counts", {})
        quarters: dict[str, Any] = document.setdefault("quarters", {})
        for tally, delta in deltas.items():
            counts.setdefault(tally.metric, {})[tally.key] = firestore.Increment(delta)
            by_quarter = quarters.setdefault(tally.metric, {})
            by_quarter.setdefault(str(tally.quarter), {})[tally.key] = firestore.Increment(delta)
        writer.set(client.collection(COLLECTION).document(key), document, merge=True)


async def read_days(client: Any, metric: str, query: AnalyticsQuery) -> DayCounts:
    """Each day of the period with the counts of `metric` inside the period."""
    whole, partial = _days_of(query)
    reads: list[Coroutine[Any, Any, DayCounts]] = [_read_whole(client, metric, query, whole)] if whole else []
    reads += [_read_quarters(client, metric, query, day, quarters) for day, quarters in partial]
    totals: DayCounts = {}
    for counts in await asyncio.gather(*reads):
        for day, by_key in counts.items():
            totals.setdefault(day, Counter()).update(by_key)
    return {day: +by_key for day, by_key in sorted(totals.items()) if +by_key}


async def read_quarters(client: Any, metric: str, query: AnalyticsQuery) -> dict[datetime, Counter[str]]:
    """Each quarter hour of the period with its counts of `metric`."""
    whole, partial = _days_of(query)
    wanted = dict(partial)
    days = sorted([*whole, *wanted])
    if not days:
        return {}
    first, last = days[0], days[-1]
    totals: dict[datetime, Counter[str]] = {}
    async for shard in _shards(client, query, f"quarters.{metric}", first, last):
        day = date.fromisoformat(shard["day"])
        for quarter, by_key in shard.get("quarters", {}).get(metric, {}).items():
            if day in wanted and int(quarter) not in wanted[day]:
                continue
            starts_at = datetime(day.year, day.month, day.day, tzinfo=UTC) + int(quarter) * RESOLUTION
            totals.setdefault(starts_at, Counter()).update(by_key)
    return dict(sorted(totals.items()))


async def _read_whole(client: Any, metric: str, query: AnalyticsQuery, days: list[date]) -> DayCounts:
    counts: DayCounts = {}
    async for shard in _shards(client, query, f"counts.{metric}", days[0], days[-1]):
        counts.setdefault(shard["day"], Counter()).update(shard.get("counts", {}).get(metric, {}))
    return counts


async def _read_quarters(client: Any, metric: str, query: AnalyticsQuery, day: date, quarters: range) -> DayCounts:
    counts: Counter[str] = Counter()
    async for shard in _shards(client, query, f"quarters.{metric}", day, day):
        for quarter, by_key in shard.get("quarters", {}).get(metric, {}).items():
            if int(quarter) in quarters:
                counts.update(by_key)
    return {day.isoformat(): counts}


async def _shards(
    client: Any, query: AnalyticsQuery, field: str, first: date, last: date
) -> AsyncIterator[dict[str, Any]]:
    """The shard documents of [first, last], with only `day` and `field` read."""
    documents = client.collection(COLLECTION)
    if query.phone_number_id is not None:
        documents = documents.where(filter=FieldFilter("phone_number_id", "==", query.phone_number_id))
    documents = documents.where(filter=FieldFilter("day", ">=", first.isoformat()))
    documents = documents.where(filter=FieldFilter("day", "<=", last.isoformat())).select(["day", field])
    async for snapshot in documents.stream():
        yield snapshot.to_dict()


def _days_of(query: AnalyticsQuery) -> tuple[list[date], list[tuple[date, range]]]:
    """The period's whole UTC days, and each day it covers in part with the quarter hours it covers."""
    quarters_per_day = 24 * 60 // QUARTER_MINUTES
    whole: list[date] = []
    partial: list[tuple[date, range]] = []
    day = query.since.astimezone(UTC).date()
    while (start := datetime(day.year, day.month, day.day, tzinfo=UTC)) < query.until:
        first = max(0, (query.since - start) // RESOLUTION)
        end = min(quarters_per_day, (query.until - start) // RESOLUTION)
        if (first, end) == (0, quarters_per_day):
            whole.append(day)
        else:
            partial.append((day, range(first, end)))
        day += DAY
    return whole, partial
