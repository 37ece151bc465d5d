"""Analytics computed by SQL over covering indexes, so each figure over a million messages stays well under a second.

Each query walks one index in the order of its GROUP BY, so SQLite never sorts: volumes and the status funnel
come from `messages_daily` (UTC day, direction, status), failures, pricing, templates and response times from
partial indexes holding only the messages that have them, the heatmap from an index on the quarter hour.
Percentiles are exact: the value at each rank is read from `messages_response_days`, sorted by time.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from typing import Any

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import MICROSECONDS_PER_QUARTER_HOUR, day_of, day_text, from_micros, to_micros
from domain.analytics import (
    NO_PRICING_TYPE,
    AnalyticsQuery,
    DailyResponseTimes,
    DailyVolume,
    FailureCount,
    PricingCount,
    QuarterHourCount,
    TemplateStatusCount,
    daily_response_times,
)

_IN_PERIOD = "created_at >= :since AND created_at < :until AND (:number IS NULL OR phone_number_id = :number)"
_RESPONDED = "response_seconds IS NOT NULL AND direction = 'outbound'"

_BY_DAY = f"""SELECT day, direction, count(*) FROM messages
WHERE day BETWEEN :first_day AND :last_day AND {_IN_PERIOD} GROUP BY day, direction"""

_BY_STATUS = f"""SELECT direction, status, count(*) FROM messages
WHERE day BETWEEN :first_day AND :last_day AND {_IN_PERIOD} GROUP BY day, direction, status"""
"""Grouped in the index's order (day, direction, status), so SQLite counts as it walks instead of sorting; a
filter on direction here would make it sort, so inbound rows are dropped in Python (a handful per day)."""

_FAILURES = f"""SELECT failure_code, failure_title, count(*) FROM messages
WHERE failure_code IS NOT NULL AND {_IN_PERIOD} GROUP BY failure_code, failure_title"""

_PRICING = f"""SELECT pricing_category, pricing_type, count(*) FROM messages
WHERE pricing_category IS NOT NULL AND {_IN_PERIOD} GROUP BY pricing_category, pricing_type"""

_RESPONSE_DAYS = f"""SELECT day, count(*), total(response_seconds) FROM messages
WHERE {_RESPONDED} AND day BETWEEN :first_day AND :last_day AND {_IN_PERIOD} GROUP BY day"""

_RESPONSE_AT_RANK = f"""SELECT response_seconds FROM messages
WHERE {_RESPONDED} AND day = :day AND {_IN_PERIOD} ORDER BY response_seconds LIMIT 1 OFFSET :offset"""

_QUARTER = f"created_at / {MICROSECONDS_PER_QUARTER_HOUR}"
_INBOUND_QUARTERS = f"""SELECT {_QUARTER}, count(*) FROM messages
WHERE direction = 'inbound' AND {_QUARTER} >= :first_quarter AND {_QUARTER} < :end_quarter
AND (:number IS NULL OR phone_number_id = :number) GROUP BY {_QUARTER}"""

_TEMPLATES = f"""SELECT template_name, template_language, status, count(*) FROM messages
WHERE template_name IS NOT NULL AND {_IN_PERIOD} GROUP BY template_name, template_language, status"""


class SqliteMessageAnalytics:
    percentiles_exact = True

    def __init__(self, database: Database) -> None:
        self._database = database

    async def daily_volumes(self, query: AnalyticsQuery) -> list[DailyVolume]:
        rows = await self._rows(_BY_DAY, query)
        return [DailyVolume(day=day_text(day), direction=direction, count=n) for day, direction, n in rows]

    async def outbound_by_status(self, query: AnalyticsQuery) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for direction, status, n in await self._rows(_BY_STATUS, query):
            if direction == "outbound":
                counts[status] += n
        return dict(sorted(counts.items()))

    async def failures(self, query: AnalyticsQuery) -> list[FailureCount]:
        rows = await self._rows(_FAILURES, query)
        return [FailureCount(code=code, title=title, count=n) for code, title, n in sorted(rows)]

    async def pricing(self, query: AnalyticsQuery) -> list[PricingCount]:
        counts: Counter[tuple[str, str]] = Counter()
        for category, kind, n in await self._rows(_PRICING, query):
            counts[(category, NO_PRICING_TYPE if kind is None else kind)] += n
        return [PricingCount(category=c, type=kind, count=n) for (c, kind), n in sorted(counts.items())]

    async def response_times(self, query: AnalyticsQuery) -> list[DailyResponseTimes]:
        parameters = _parameters(query)

        def read(connection: sqlite3.Connection) -> list[DailyResponseTimes]:
            """One read transaction, so the counts and the values at their ranks describe the same moment."""
            connection.execute("BEGIN")
            try:
                days = connection.execute(_RESPONSE_DAYS, parameters).fetchall()
                return [
                    daily_response_times(day_text(day), n, total, lambda rank: _at_rank(connection, parameters, day, rank))
                    for day, n, total in sorted(days)
                ]
            finally:
                connection.execute("COMMIT")

        return await self._database.read(read)

    async def inbound_by_quarter_hour(self, query: AnalyticsQuery) -> list[QuarterHourCount]:
        rows = await self._rows(_INBOUND_QUARTERS, query)
        return [QuarterHourCount(starts_at=from_micros(q * MICROSECONDS_PER_QUARTER_HOUR), count=n) for q, n in rows]

    async def template_statuses(self, query: AnalyticsQuery) -> list[TemplateStatusCount]:
        rows = await self._rows(_TEMPLATES, query)
        return [
            TemplateStatusCount(name=name, language=language, status=status, count=n)
            for name, language, status, n in sorted(rows)
        ]

    async def _rows(self, sql: str, query: AnalyticsQuery) -> list[Any]:
        parameters = _parameters(query)
        return await self._database.read(lambda c: c.execute(sql, parameters).fetchall())


def _parameters(query: AnalyticsQuery) -> dict[str, object]:
    since, until = to_micros(query.since), to_micros(query.until)
    return {
        "since": since, "until": until, "number": query.phone_number_id,
        "first_day": day_of(since), "last_day": day_of(until),
        "first_quarter": since // MICROSECONDS_PER_QUARTER_HOUR, "end_quarter": until // MICROSECONDS_PER_QUARTER_HOUR,
    }


def _at_rank(connection: sqlite3.Connection, parameters: dict[str, object], day: int, rank: int) -> float:
    value: float = connection.execute(_RESPONSE_AT_RANK, {**parameters, "day": day, "offset": rank - 1}).fetchone()[0]
    return value
