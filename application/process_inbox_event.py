"""ProcessInboxEvent: apply one stored webhook POST, idempotently, then mark it processed.

Every event of the POST is applied; a message is keyed by its wamid and a status only moves
forward, so processing the same POST twice (a redelivery, a replay after a crash) changes nothing.
An item the decoder could not read is published as `webhook.undecodable` while the rest of the
POST is applied: operators see what was not, and the raw body stays in the inbox for a replay.
"""

from __future__ import annotations

import asyncio

import msgspec

from application.live import message_event, template_event
from application.ports import Clock, Inbox, LiveEvents, MessageStore, TemplateStore, WebhookDecoder
from application.receive_message import ReceiveMessage
from application.records import InboxEvent
from domain.errors import InvalidIdentifier, MalformedWebhook
from domain.ids import parse_message_id
from domain.messages import Message, with_status
from domain.templates import MessageTemplate, TemplateQuality, TemplateStatus, with_quality
from domain.templates import with_status as template_with_status
from domain.webhook_events import (
    InboundMessageReceived,
    StatusReported,
    TemplateQualityChanged,
    TemplateStatusChanged,
    UndecodableItem,
    WebhookEvent,
)


class InboxReport(msgspec.Struct, kw_only=True):
    """What one pass over the inbox applied, by kind of webhook event (for metrics and logs)."""

    posts: int = 0
    events: dict[str, int] = msgspec.field(default_factory=dict)
    applied_after: list[float] = msgspec.field(default_factory=list)
    """Seconds from each POST stored to every event of it applied: what operators watch against the 1 s target."""

    def count(self, kind: str) -> None:
        self.events[kind] = self.events.get(kind, 0) + 1


class ProcessInboxEvent:
    def __init__(
        self,
        *,
        inbox: Inbox,
        decoder: WebhookDecoder,
        receive: ReceiveMessage,
        messages: MessageStore,
        templates: TemplateStore,
        live_events: LiveEvents,
        clock: Clock,
    ) -> None:
        self._inbox = inbox
        self._decoder = decoder
        self._receive = receive
        self._messages = messages
        self._templates = templates
        self._live = live_events
        self._clock = clock

    async def __call__(self, event: InboxEvent, report: InboxReport | None = None) -> None:
        for webhook_event in await self._decode(event):
            await self._apply(webhook_event, event)
            if report is not None:
                report.count(_KINDS[type(webhook_event)])
        now = self._clock.now()
        await self._inbox.mark_processed(event.id, now)
        if report is not None:
            report.applied_after.append((now - event.received_at).total_seconds())

    async def process_pending(self, limit: int = 100) -> InboxReport:
        """Apply what is still unprocessed (at start-up, what a crash left behind).

        The POSTs of a batch are applied concurrently, so a store that groups commits writes them
        together. Order between them does not matter: every change commutes (messages keyed by
        wamid, statuses and windows joined, template updates ordered by Meta's time).
        """
        report = InboxReport()
        pending = await self._inbox.unprocessed(limit)
        await asyncio.gather(*(self(event, report) for event in pending))
        report.posts = len(pending)
        return report

    async def _decode(self, event: InboxEvent) -> list[WebhookEvent]:
        """A body that is not Meta's envelope has nothing to apply; it is reported and stays in the inbox."""
        try:
            return self._decoder.decode(event.untrusted_body)
        except MalformedWebhook as error:
            await self._live.publish("webhook.malformed", {"inbox_event_id": event.id, "error": str(error)})
            return []

    async def _apply(self, event: WebhookEvent, source: InboxEvent) -> None:
        match event:
            case InboundMessageReceived():
                await self._receive(event)
            case StatusReported():
                await self._report_status(event)
            case TemplateStatusChanged() | TemplateQualityChanged():
                await self._change_template(event)
            case UndecodableItem():
                await self._report_undecodable(event, source)

    async def _report_status(self, event: StatusReported) -> None:
        message = await self._find_sent(event)
        if message is None:
            await self._messages.park_status(event.wamid, event.event, event.pricing)
            return
        updated = await self._messages.update(
            message.id, lambda m: with_status(m, event.event, wamid=event.wamid, pricing=event.pricing)
        )
        if updated is not None and updated.status != message.status:
            await self._live.publish("message.status", message_event(updated))

    async def _find_sent(self, event: StatusReported) -> Message | None:
        """Our id travels in biz_opaque_callback_data, so a status matches even before the wamid was recorded."""
        if event.callback_data is not None:
            try:
                message = await self._messages.get(parse_message_id(event.callback_data))
            except InvalidIdentifier:
                message = None
            if message is not None:
                return message
        return await self._messages.find_by_wamid(event.wamid)

    async def _report_undecodable(self, item: UndecodableItem, source: InboxEvent) -> None:
        """Its siblings are applied; the inbox keeps the raw body, so it can be applied again once fixed."""
        await self._live.publish(
            "webhook.undecodable",
            {
                "inbox_event_id": source.id,
                "path": item.path,
                "reason": item.reason,
                "phone_number_id": item.phone_number_id,
            },
        )

    async def _change_template(self, event: TemplateStatusChanged | TemplateQualityChanged) -> None:
        """A template wahub does not know (made elsewhere) or a status Meta added later waits for the next sync."""
        template = await self._templates.get(event.name, event.language) or await self._templates.find_by_id(
            event.template_id
        )
        changed = None if template is None else _changed(template, event)
        if changed is None:
            return
        await self._templates.save(changed)
        await self._live.publish("template.updated", template_event(changed))


_KINDS: dict[type, str] = {
    InboundMessageReceived: "message",
    StatusReported: "status",
    TemplateStatusChanged: "template",
    TemplateQualityChanged: "template",
    UndecodableItem: "undecodable",
}


def _changed(template: MessageTemplate, event: TemplateStatusChanged | TemplateQualityChanged) -> MessageTemplate | None:
    if isinstance(event, TemplateStatusChanged):
        if event.status not in TemplateStatus.__members__:
            return None
        return template_with_status(template, TemplateStatus(event.status), event.reason, event.at)
    if event.quality not in TemplateQuality.__members__:
        return None
    return with_quality(template, TemplateQuality(event.quality), event.at)
