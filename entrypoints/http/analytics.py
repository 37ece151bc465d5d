"""Analytics over a period: every chart of the dashboard's analytics screen, one route each.

Every route takes the same period (`from`, `to`) and business-number filter; the period is widened to whole
quarter hours (domain.analytics.RESOLUTION), and each answer says which period it covers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from application.access import Action
from application.analytics import ReadAnalytics
from domain.analytics import AnalyticsQuery, covering_period
from domain.ids import parse_phone_number_id
from entrypoints.http.auth import requires
from entrypoints.http.problems import problem_responses
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import (
    AnalyticsView,
    ClosingWindowsView,
    FailuresView,
    FunnelView,
    HeatmapView,
    PricingView,
    ResponseTimesView,
    TemplatePerformanceView,
    VolumesView,
    analytics_view,
    closing_windows_view,
    failures_view,
    funnel_view,
    heatmap_view,
    pricing_view,
    response_times_view,
    templates_view,
    volumes_view,
)

DEFAULT_PERIOD = timedelta(days=7)
REFUSALS = problem_responses(400, 401, 403)
SINCE = (
    "Start, inclusive, ISO-8601 (UTC without an offset), rounded down to a quarter hour; default: 7 days before `to`"
)
UNTIL = "End, exclusive, ISO-8601 (UTC without an offset), rounded up to a quarter hour; default: now"
NUMBER = "Only this business number (its Meta phone number id, digits)"
TIME_ZONE = "IANA time zone the weekdays and hours are counted in, e.g. Europe/Madrid; default UTC"


def _period(
    request: Request[Any, Any, Any],
    since: Annotated[str | None, QueryParameter(name="from", description=SINCE)] = None,
    until: Annotated[str | None, QueryParameter(name="to", description=UNTIL)] = None,
    phone_number_id: Annotated[str | None, QueryParameter(description=NUMBER)] = None,
) -> AnalyticsQuery:
    runtime: Runtime = request.app.state.runtime
    return analytics_query(since, until, phone_number_id, runtime.clock.now())


def _reports(request: Request[Any, Any, Any]) -> ReadAnalytics:
    runtime: Runtime = request.app.state.runtime
    return runtime.use_cases.read_analytics


class AnalyticsController(Controller):
    path = "/v1/analytics"
    tags = ["analytics"]
    guards = [requires(Action.READ_ANALYTICS)]
    dependencies = {"period": Provide(_period, sync_to_thread=False), "reports": Provide(_reports, sync_to_thread=False)}

    @get("/summary", responses=REFUSALS, summary="Volumes, funnel, failures, mean first response and cost in one answer")
    async def summary(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> AnalyticsView:
        return analytics_view(period, await reports.summary(period))

    @get("/volumes", responses=REFUSALS, summary="Messages per UTC day, inbound and outbound")
    async def volumes(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> VolumesView:
        return volumes_view(period, await reports.volumes(period))

    @get("/funnel", responses=REFUSALS, summary="Outbound status funnel: queued, sent, delivered, read with rates, and failed")
    async def funnel(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> FunnelView:
        return funnel_view(period, *await reports.funnel(period))

    @get("/failures", responses=REFUSALS, summary="Failed messages by Meta error code and title, most frequent first")
    async def failures(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> FailuresView:
        return failures_view(period, await reports.failures(period))

    @get("/response-times", responses=REFUSALS, summary="First-response time per UTC day: median and 90th percentile")
    async def response_times(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> ResponseTimesView:
        return response_times_view(period, await reports.response_times(period))

    @get("/pricing", responses=REFUSALS, summary="Priced messages by pricing category and type, with the estimated cost")
    async def pricing(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> PricingView:
        return pricing_view(period, await reports.pricing(period))

    @get("/heatmap", responses=REFUSALS, summary="Customer messages by weekday and hour in a time zone")
    async def heatmap(
        self,
        period: NamedDependency[AnalyticsQuery],
        reports: NamedDependency[ReadAnalytics],
        tz: Annotated[str, QueryParameter(description=TIME_ZONE)] = "UTC",
    ) -> HeatmapView:
        zone = _zone(tz)
        return heatmap_view(period, zone.key, await reports.heatmap(period, zone))

    @get("/templates", responses=REFUSALS, summary="Per template and language: sent, delivered, read, failed and read rate")
    async def templates(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> TemplatePerformanceView:
        return templates_view(period, await reports.templates(period))

    @get(
        "/closing-windows",
        responses=REFUSALS,
        summary="Open conversations whose 24 h window closes within 2 hours, the customer's last message unanswered",
        description="Soonest to close first. It is a view of now: the period parameters are accepted but ignored.",
    )
    async def closing_windows(self, period: NamedDependency[AnalyticsQuery], reports: NamedDependency[ReadAnalytics]) -> ClosingWindowsView:
        now, conversations = await reports.closing_windows(period.phone_number_id)
        return closing_windows_view(now, period.phone_number_id, conversations)


def analytics_query(since: str | None, until: str | None, number: str | None, now: datetime) -> AnalyticsQuery:
    end = _instant("to", until) if until is not None else now
    start = _instant("from", since) if since is not None else covering_period(end, end)[1] - DEFAULT_PERIOD
    if start >= end:
        raise _refused("from", f"from ({start.isoformat()}) must be before to ({end.isoformat()})")
    phone_number_id = None if number is None else parse_phone_number_id(number)
    start, end = covering_period(start, end)
    return AnalyticsQuery(since=start, until=end, phone_number_id=phone_number_id)


def _instant(key: str, text: str) -> datetime:
    """Stores compare aware times, so a time given without an offset is taken as UTC rather than refused."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise _refused(key, f"{key}={text!r} is not an ISO-8601 date and time, e.g. 2025-06-01T00:00:00Z") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _refused("tz", f"tz={name!r} is not an IANA time zone, e.g. Europe/Madrid or America/Sao_Paulo") from None


def _refused(key: str, detail: str) -> ValidationException:
    """Shaped like Litestar's own refusal of a query parameter, so clients read every 400 the same way."""
    return ValidationException(detail=detail, extra=[{"message": detail, "key": key, "source": "query"}])
