"""The public API's response shapes, kept apart from the domain so the domain can change freely."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from application.analytics import PricingReport, ResponseTimes
from application.records import MediaRecord
from domain.analytics import (
    CLOSING_SOON,
    HISTOGRAM_ERROR,
    QUIET_PERIOD,
    AnalyticsQuery,
    AnalyticsSummary,
    DailyResponseTimes,
    DailyVolume,
    FailureCount,
    FunnelRates,
    HeatmapCell,
    StatusFunnel,
    TemplatePerformance,
)
from domain.content import kind_of
from domain.conversations import Conversation
from domain.messages import Message
from domain.setup import SetupCheck
from domain.templates import MessageTemplate


class StatusStep(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    at: datetime


class FailureView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: int
    title: str
    details: str | None = None


class MessageView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """`customer_id` names the conversation; `wa_id`, `user_id` (BSUID), `parent_user_id` and `username`
    are what was known of the customer for this message, each omitted when unknown."""

    id: str
    direction: str
    phone_number_id: str
    customer_id: str
    type: str
    content: dict[str, Any]
    status: str
    status_history: list[StatusStep]
    created_at: datetime
    wamid: str | None = None
    failure: FailureView | None = None
    pricing: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    customer_name: str | None = None
    retry_of: str | None = None
    resent_after_unknown: bool = False
    """True when wahub sent it again after a crash left the first send's outcome unknown and no status named it."""
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None


class ConversationView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """`customer_id` is opaque: the phone number digits for a customer first known by number, else the BSUID."""

    phone_number_id: str
    customer_id: str
    last_activity_at: datetime
    window: str
    unread_count: int
    window_closes_at: datetime | None = None
    customer_name: str | None = None
    last_message_preview: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    match: str | None = None
    """In search results: the matching message's text around the match (absent when the customer matched)."""


class MeView(msgspec.Struct, frozen=True, kw_only=True):
    """The calling key: its label, its role and every action that role may take (application.access's values)."""

    name: str
    role: str
    actions: list[str]


class PhoneNumberView(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: str
    display_phone_number: str
    verified_name: str


class PhoneNumbersView(msgspec.Struct, frozen=True, kw_only=True):
    data: list[PhoneNumberView]


class PageView(msgspec.Struct, frozen=True, kw_only=True):
    data: list[Any]
    next_cursor: str | None = None


def message_view(message: Message) -> MessageView:
    content = msgspec.to_builtins(message.content)
    content.pop("kind", None)
    failure = message.status.failure
    history = sorted(message.status.reached_at.items(), key=lambda item: item[0].rank)
    return MessageView(
        id=message.id,
        direction=message.direction,
        phone_number_id=message.phone_number_id,
        customer_id=message.customer_id,
        type=kind_of(message.content),
        content=content,
        status=message.status.status,
        status_history=[StatusStep(status=status, at=at) for status, at in history],
        created_at=message.created_at,
        wamid=message.wamid,
        failure=FailureView(code=failure.code, title=failure.title, details=failure.details) if failure else None,
        pricing=msgspec.to_builtins(message.pricing) if message.pricing else None,
        context=msgspec.to_builtins(message.context) if message.context else None,
        customer_name=message.customer_name,
        retry_of=message.retry_of,
        resent_after_unknown=message.resent_after_unknown,
        wa_id=message.identity.wa_id,
        user_id=message.identity.user_id,
        parent_user_id=message.identity.parent_user_id,
        username=message.identity.username,
    )


def conversation_view(conversation: Conversation, now: datetime, match: str | None = None) -> ConversationView:
    return ConversationView(
        phone_number_id=conversation.phone_number_id,
        customer_id=conversation.customer_id,
        last_activity_at=conversation.last_activity_at,
        window=conversation.window_state(now),
        window_closes_at=conversation.window.closes_at,
        unread_count=conversation.unread_count,
        customer_name=conversation.customer_name,
        last_message_preview=conversation.last_message_preview,
        wa_id=conversation.identity.wa_id,
        user_id=conversation.identity.user_id,
        parent_user_id=conversation.identity.parent_user_id,
        username=conversation.identity.username,
        match=match,
    )


class TemplateView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    name: str
    language: str
    category: str
    status: str
    quality: str
    parameter_format: str
    components: list[dict[str, Any]]
    id: str | None = None
    rejected_reason: str | None = None


class DeletedTemplatesView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    language: str | None
    deleted: int


class MediaView(msgspec.Struct, frozen=True, kw_only=True):
    """`size` and `sha256` stay null while a customer's media is still being fetched from Meta."""

    id: str
    kind: str
    mime_type: str
    size: int | None
    sha256: str | None


class CostView(msgspec.Struct, frozen=True, kw_only=True):
    """Decimal as a JSON number: dashboards chart it; an estimate needs no more than float precision."""

    currency: str
    amount: float
    unpriced: dict[str, int]


class AnalyticsView(msgspec.Struct, frozen=True, kw_only=True):
    since: datetime
    until: datetime
    volumes: list[DailyVolume]
    funnel: StatusFunnel
    delivery_rate: float | None
    read_rate: float | None
    failure_reasons: list[FailureCount]
    average_first_response_seconds: float | None
    conversations_by_category: dict[str, int]
    estimated_cost: CostView
    phone_number_id: str | None = None


class PeriodView(msgspec.Struct, frozen=True, kw_only=True):
    """The period an analytics answer covers, after widening to quarter hours, and its number filter."""

    since: datetime
    until: datetime
    phone_number_id: str | None = None


class DayVolumeView(msgspec.Struct, frozen=True, kw_only=True):
    day: str
    inbound: int
    outbound: int


class VolumesView(PeriodView, frozen=True, kw_only=True):
    days: list[DayVolumeView]
    """Only days with messages, oldest first; days are UTC days."""


class FunnelView(PeriodView, frozen=True, kw_only=True):
    """`queued` is every outbound message; each rate is a step over the one before (failure rate over queued)."""

    queued: int
    sent: int
    delivered: int
    read: int
    failed: int
    sent_rate: float | None
    delivery_rate: float | None
    read_rate: float | None
    failure_rate: float | None


class FailuresView(PeriodView, frozen=True, kw_only=True):
    failures: list[FailureCount]


class ResponseTimesView(PeriodView, frozen=True, kw_only=True):
    """Agents' first replies to a customer's first message after `quiet_period_seconds` of silence."""

    quiet_period_seconds: float
    percentiles_exact: bool
    approximation: str | None
    days: list[DailyResponseTimes]


class PricedRowView(msgspec.Struct, frozen=True, kw_only=True):
    category: str
    type: str
    count: int
    estimated_cost: float | None


class PricingView(PeriodView, frozen=True, kw_only=True):
    """A row's `estimated_cost` is null when its category is charged but has no rate (counted in `unpriced`)."""

    currency: str
    rows: list[PricedRowView]
    estimated_cost: float
    unpriced: dict[str, int]


class HeatmapView(PeriodView, frozen=True, kw_only=True):
    """All 168 cells, weekday 0 = Monday, hour 0-23 in `time_zone`."""

    time_zone: str
    cells: list[HeatmapCell]


class TemplatePerformanceView(PeriodView, frozen=True, kw_only=True):
    templates: list[TemplatePerformance]


class ClosingConversationView(ConversationView, frozen=True, kw_only=True, omit_defaults=True):
    awaiting_reply_since: datetime | None = None


class ClosingWindowsView(msgspec.Struct, frozen=True, kw_only=True):
    now: datetime
    within_seconds: float
    conversations: list[ClosingConversationView]
    phone_number_id: str | None = None


class SetupChecksView(msgspec.Struct, frozen=True, kw_only=True):
    mode: str
    store: str
    phone_number_id: str
    waba_id: str
    credentials: dict[str, bool]
    webhook_verified_at: datetime | None
    last_webhook_received_at: datetime | None
    callback_url: str | None
    """Paste into App Dashboard > WhatsApp > Configuration > Callback URL (null until WAHUB_PUBLIC_URL is set)."""
    verify_token: str
    """Paste as the Verify token beside it."""
    checks: list[SetupCheck]
    """access_token, phone_number, webhook_subscription, webhook_handshake, templates, test_message."""


def template_view(template: MessageTemplate) -> TemplateView:
    return TemplateView(
        name=template.name,
        language=template.language,
        category=template.category,
        status=template.status,
        quality=template.quality,
        parameter_format=template.parameter_format,
        components=msgspec.to_builtins(template.components),
        id=template.id,
        rejected_reason=template.rejected_reason,
    )


def media_view(record: MediaRecord) -> MediaView:
    return MediaView(id=record.id, kind=record.kind, mime_type=record.mime_type, size=record.size, sha256=record.sha256)


def analytics_view(query: AnalyticsQuery, summary: AnalyticsSummary) -> AnalyticsView:
    cost = summary.estimated_cost
    return AnalyticsView(
        since=query.since,
        until=query.until,
        phone_number_id=query.phone_number_id,
        volumes=summary.volumes,
        funnel=summary.funnel,
        delivery_rate=summary.delivery_rate,
        read_rate=summary.read_rate,
        failure_reasons=summary.failure_reasons,
        average_first_response_seconds=summary.average_first_response_seconds,
        conversations_by_category=summary.conversations_by_category,
        estimated_cost=CostView(currency=cost.currency, amount=float(cost.amount), unpriced=cost.unpriced),
    )


def _period(query: AnalyticsQuery) -> dict[str, Any]:
    return {"since": query.since, "until": query.until, "phone_number_id": query.phone_number_id}


def volumes_view(query: AnalyticsQuery, volumes: list[DailyVolume]) -> VolumesView:
    days: dict[str, dict[str, int]] = {}
    for volume in volumes:
        days.setdefault(volume.day, {"inbound": 0, "outbound": 0})[volume.direction] += volume.count
    return VolumesView(
        **_period(query), days=[DayVolumeView(day=day, **counts) for day, counts in sorted(days.items())]
    )


def funnel_view(query: AnalyticsQuery, funnel: StatusFunnel, rates: FunnelRates) -> FunnelView:
    return FunnelView(
        **_period(query), queued=funnel.outbound, sent=funnel.sent, delivered=funnel.delivered, read=funnel.read,
        failed=funnel.failed, **msgspec.structs.asdict(rates),
    )


def failures_view(query: AnalyticsQuery, failures: list[FailureCount]) -> FailuresView:
    return FailuresView(**_period(query), failures=failures)


def response_times_view(query: AnalyticsQuery, times: ResponseTimes) -> ResponseTimesView:
    return ResponseTimesView(
        **_period(query), quiet_period_seconds=QUIET_PERIOD.total_seconds(), percentiles_exact=times.exact,
        approximation=None if times.exact else HISTOGRAM_ERROR, days=times.days,
    )


def pricing_view(query: AnalyticsQuery, report: PricingReport) -> PricingView:
    rows = [
        PricedRowView(category=r.category, type=r.type, count=r.count,
                      estimated_cost=None if r.estimated_cost is None else float(r.estimated_cost))
        for r in report.rows
    ]
    total = report.total
    return PricingView(
        **_period(query), currency=total.currency, rows=rows, estimated_cost=float(total.amount),
        unpriced=total.unpriced,
    )


def heatmap_view(query: AnalyticsQuery, time_zone: str, cells: list[HeatmapCell]) -> HeatmapView:
    return HeatmapView(**_period(query), time_zone=time_zone, cells=cells)


def templates_view(query: AnalyticsQuery, templates: list[TemplatePerformance]) -> TemplatePerformanceView:
    return TemplatePerformanceView(**_period(query), templates=templates)


def closing_windows_view(
    now: datetime, phone_number_id: str | None, conversations: Sequence[Conversation]
) -> ClosingWindowsView:
    return ClosingWindowsView(
        now=now, within_seconds=CLOSING_SOON.total_seconds(), phone_number_id=phone_number_id,
        conversations=[
            ClosingConversationView(
                **msgspec.structs.asdict(conversation_view(c, now)), awaiting_reply_since=c.awaiting_reply_since
            )
            for c in conversations
        ],
    )
