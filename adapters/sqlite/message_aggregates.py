"""Analytics computed by SQL over covering indexes, so a summary over a million messages stays well under a second.

Each query walks one index in the order of its GROUP BY, so SQLite never sorts: volumes and the
status funnel come from `messages_daily` (UTC day, direction, status), failures, pricing and
response times from partial indexes holding only the messages that have them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from adapters.sqlite.encoding import day_of, day_text, to_micros
from domain.analytics import AnalyticsQuery, DailyVolume, FailureCount, MessageAggregates, PricingCount

NO_PRICING_TYPE = ""
"""Older (conversation-based) pricing objects carry no type; they are counted under an empty one."""

_IN_PERIOD = "created_at >= :since AND created_at < :until AND (:number IS NULL OR phone_number_id = :number)"

_BY_DAY = f"""SELECT day, direction, status, count(*) FROM messages
WHERE day BETWEEN :first_day AND :last_day AND {_IN_PERIOD} GROUP BY day, direction, status"""

_FAILURES = f"""SELECT failure_code, failure_title, count(*) FROM messages
WHERE failure_code IS NOT NULL AND {_IN_PERIOD} GROUP BY failure_code, failure_title
ORDER BY failure_code, failure_title"""

_PRICING = f"""SELECT pricing_category, pricing_type, count(*) FROM messages
WHERE pricing_category IS NOT NULL AND {_IN_PERIOD} GROUP BY pricing_category, pricing_type"""

_RESPONSES = f"""SELECT total(response_seconds), count(*) FROM messages
WHERE response_seconds IS NOT NULL AND direction = 'outbound' AND {_IN_PERIOD}"""


def aggregate(connection: sqlite3.Connection, query: AnalyticsQuery) -> MessageAggregates:
    """One read transaction, so every figure describes the same moment."""
    since, until = to_micros(query.since), to_micros(query.until)
    parameters = {"since": since, "until": until, "number": query.phone_number_id,
                  "first_day": day_of(since), "last_day": day_of(until)}
    connection.execute("BEGIN")
    try:
        by_day = connection.execute(_BY_DAY, parameters).fetchall()
        failures = connection.execute(_FAILURES, parameters).fetchall()
        pricing = connection.execute(_PRICING, parameters).fetchall()
        response_total, responses = connection.execute(_RESPONSES, parameters).fetchone()
    finally:
        connection.execute("COMMIT")
    return MessageAggregates(
        volumes=_volumes(by_day),
        outbound_by_status=_outbound_by_status(by_day),
        failures=[FailureCount(code=code, title=title, count=n) for code, title, n in failures],
        response_seconds_total=float(response_total),
        responses=responses,
        pricing=_pricing(pricing),
    )


def _volumes(by_day: list[tuple[int, str, str, int]]) -> list[DailyVolume]:
    counts: Counter[tuple[str, str]] = Counter()
    for day, direction, _, n in by_day:
        counts[(day_text(day), direction)] += n
    return [DailyVolume(day=day, direction=direction, count=n) for (day, direction), n in sorted(counts.items())]


def _outbound_by_status(by_day: list[tuple[int, str, str, int]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for _, direction, status, n in by_day:
        if direction == "outbound":
            counts[status] += n
    return dict(sorted(counts.items()))


def _pricing(rows: list[tuple[str, str | None, int]]) -> list[PricingCount]:
    counts: Counter[tuple[str, str]] = Counter()
    for category, kind, n in rows:
        counts[(category, NO_PRICING_TYPE if kind is None else kind)] += n
    return [PricingCount(category=category, type=kind, count=n) for (category, kind), n in sorted(counts.items())]
