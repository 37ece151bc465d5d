"""Analytics: the stores count where the data lives, the domain defines every metric built from the counts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from application.ports import Clock, ConversationStore, MessageStore
from domain.analytics import (
    AnalyticsQuery,
    AnalyticsSummary,
    DailyResponseTimes,
    DailyVolume,
    EstimatedCost,
    FailureCount,
    FunnelRates,
    HeatmapCell,
    MessageAggregates,
    PricedCount,
    PriceTable,
    StatusFunnel,
    TemplatePerformance,
    estimated_cost,
    failure_reasons,
    funnel_rates,
    priced_counts,
    status_funnel,
    summarize,
    template_performance,
    weekly_heatmap,
)
from domain.conversations import Conversation
from domain.ids import PhoneNumberId


class ResponseTimes(msgspec.Struct, frozen=True, kw_only=True):
    days: list[DailyResponseTimes]
    exact: bool


class PricingReport(msgspec.Struct, frozen=True, kw_only=True):
    rows: list[PricedCount]
    total: EstimatedCost


class ReadAnalytics:
    """Every analytics report; each asks the store only for the counts it needs."""

    def __init__(
        self, *, messages: MessageStore, conversations: ConversationStore, prices: PriceTable, clock: Clock
    ) -> None:
        self._analytics = messages.analytics
        self._conversations = conversations
        self._prices = prices
        self._clock = clock

    async def summary(self, query: AnalyticsQuery) -> AnalyticsSummary:
        a = self._analytics
        volumes, by_status, failures, response_times, pricing = await asyncio.gather(
            a.daily_volumes(query), a.outbound_by_status(query), a.failures(query), a.response_times(query),
            a.pricing(query),
        )
        aggregates = MessageAggregates(
            volumes=volumes, outbound_by_status=by_status, failures=failures, response_times=response_times,
            pricing=pricing,
        )
        return summarize(aggregates, self._prices)

    async def volumes(self, query: AnalyticsQuery) -> list[DailyVolume]:
        return await self._analytics.daily_volumes(query)

    async def funnel(self, query: AnalyticsQuery) -> tuple[StatusFunnel, FunnelRates]:
        funnel = status_funnel(await self._analytics.outbound_by_status(query))
        return funnel, funnel_rates(funnel)

    async def failures(self, query: AnalyticsQuery) -> list[FailureCount]:
        return failure_reasons(await self._analytics.failures(query))

    async def response_times(self, query: AnalyticsQuery) -> ResponseTimes:
        days = await self._analytics.response_times(query)
        return ResponseTimes(days=days, exact=self._analytics.percentiles_exact)

    async def pricing(self, query: AnalyticsQuery) -> PricingReport:
        pricing = await self._analytics.pricing(query)
        return PricingReport(rows=priced_counts(pricing, self._prices), total=estimated_cost(pricing, self._prices))

    async def heatmap(self, query: AnalyticsQuery, zone: ZoneInfo) -> list[HeatmapCell]:
        return weekly_heatmap(await self._analytics.inbound_by_quarter_hour(query), zone)

    async def templates(self, query: AnalyticsQuery) -> list[TemplatePerformance]:
        return template_performance(await self._analytics.template_statuses(query))

    async def closing_windows(self, phone_number_id: PhoneNumberId | None) -> tuple[datetime, Sequence[Conversation]]:
        now = self._clock.now()
        return now, await self._conversations.closing_unanswered(phone_number_id=phone_number_id, now=now)
