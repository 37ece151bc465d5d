"""Analytics over a period: volumes, the status funnel, failure reasons, response time and estimated cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from application.access import Action
from domain.analytics import AnalyticsQuery
from domain.ids import parse_phone_number_id
from entrypoints.http.auth import requires
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import AnalyticsView, analytics_view

DEFAULT_PERIOD = timedelta(days=7)
SINCE = "Start, inclusive, ISO-8601 (UTC without an offset); default: 7 days before `to`"
UNTIL = "End, exclusive, ISO-8601 (UTC without an offset); default: now"

class AnalyticsController(Controller):
    path = "/v1/analytics"
    tags = ["analytics"]

    @get("/summary", guards=[requires(Action.READ_ANALYTICS)])
    async def summary(
        self,
        request: Request[Any, Any, Any],
        since: Annotated[str | None, QueryParameter(name="from", description=SINCE)] = None,
        until: Annotated[str | None, QueryParameter(name="to", description=UNTIL)] = None,
        phone_number_id: Annotated[str | None, QueryParameter(description="One business number (digits)")] = None,
    ) -> AnalyticsView:
        runtime: Runtime = request.app.state.runtime
        query = analytics_query(since, until, phone_number_id, runtime.clock.now())
        return analytics_view(query, await runtime.use_cases.summarize_analytics(query))


def analytics_query(since: str | None, until: str | None, number: str | None, now: datetime) -> AnalyticsQuery:
    end = _instant("to", until) if until is not None else now
    start = _instant("from", since) if since is not None else end - DEFAULT_PERIOD
    if start >= end:
        raise _refused("from", f"from ({start.isoformat()}) must be before to ({end.isoformat()})")
    phone_number_id = None if number is None else parse_phone_number_id(number)
    return AnalyticsQuery(since=start, until=end, phone_number_id=phone_number_id)


def _instant(key: str, text: str) -> datetime:
    """Stores compare aware times, so a time given without an offset is taken as UTC rather than refused."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise _refused(key, f"{key}={text!r} is not an ISO-8601 date and time, e.g. 2025-06-01T00:00:00Z") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _refused(key: str, detail: str) -> ValidationException:
    """Shaped like Litestar's own refusal of a query parameter, so clients read every 400 the same way."""
    return ValidationException(detail=detail, extra=[{"message": detail, "key": key, "source": "query"}])
