"""Analytics summary: the store aggregates where the data lives, the domain defines the metrics."""

from __future__ import annotations

from application.ports import MessageStore
from domain.analytics import AnalyticsQuery, AnalyticsSummary, PriceTable, summarize


class SummarizeAnalytics:
    def __init__(self, *, messages: MessageStore, prices: PriceTable) -> None:
        self._messages = messages
        self._prices = prices

    async def __call__(self, query: AnalyticsQuery) -> AnalyticsSummary:
        return summarize(await self._messages.aggregates(query), self._prices)
