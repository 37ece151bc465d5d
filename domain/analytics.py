"""Analytics: what each metric means, as pure functions over aggregates the stores compute.

Stores never hand every message to Python; they return counts and sums (`MessageAggregates`),
and the definitions of rates, funnels and costs live here once.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.ids import PhoneNumberId


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
