"""ProcessInboxEvent: apply one stored webhook POST as one unit of work, then tell who follows live.

The POST is decoded and each of its events turned into a change (application.post_changes); the
store writes them all, with the POST's processed mark, in one transaction. Applying is idempotent
(a message is keyed by its wamid, a status only moves forward), and a write is all or nothing, so
a redelivery, a replay after a crash or a failure half-way through changes nothing twice and loses
nothing: no unread count is lost or counted twice, and each live event is published once, after
the commit that made it true.

An item the decoder could not read is published as `webhook.undecodable` while the rest of the
POST is applied: operators see what was not, and the raw body stays in the inbox for a replay.
"""

from __future__ import annotations

import asyncio
import random
import traceback
from collections.abc import Callable
from datetime import datetime

import msgspec

from application.live import message_event, template_event
from application.ports import Clock, CustomerDirectory, Inbox, LiveEvents, MessageStore, PostWriter, WebhookDecoder
from application.post_changes import ChangeMessage, ChangeTemplate, PostChanges, PostOutcome, ReportStatus
from application.receive_message import receive
from application.records import InboxEvent, InboxFailure
from domain.content import Reaction
from domain.customers import Customer, Sighting
from domain.errors import InvalidIdentifier, MalformedWebhook
from domain.ids import MessageId, Wamid, is_wamid, parse_message_id
from domain.message_changes import ReactionChange
from domain.messages import Message, with_status
from domain.retry import RetryPolicy
from domain.templates import MessageTemplate, TemplateQuality, TemplateStatus, with_quality
from domain.templates import with_status as template_with_status
from domain.webhook_events import (
    ChangeErrorsReported,
    InboundMessageReceived,
    MessageChanged,
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
    failed: dict[str, str] = msgspec.field(default_factory=dict)
    """POSTs whose application failed this pass, by inbox id, with the error (type and message)."""
    quarantined: list[str] = msgspec.field(default_factory=list)
    """POSTs given up this pass, by inbox id."""
    applied_after: list[float] = msgspec.field(default_factory=list)
    """Seconds from each POST stored to every event of it applied: what operators watch against the 1 s target."""

    def count(self, kind: str, amount: int = 1) -> None:
        self.events[kind] = self.events.get(kind, 0) + amount


class ProcessInboxEvent:
    """Each stored POST is applied on its own: whatever fails while decoding or applying one stays with it.

    A POST that fails waits for its own retry (backing off by `retry`) while the others are applied,
    and after `retry.max_attempts` failures it is quarantined with its whole error, reported as
    `webhook.quarantined`, and left for an operator to replay once the cause is fixed.
    """

    def __init__(
        self,
        *,
        inbox: Inbox,
        decoder: WebhookDecoder,
        writer: PostWriter,
        messages: MessageStore,
        customers: CustomerDirectory,
        live_events: LiveEvents,
        clock: Clock,
        retry: RetryPolicy = RetryPolicy(),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._inbox = inbox
        self._decoder = decoder
        self._writer = writer
        self._messages = messages
        self._customers = customers
        self._live = live_events
        self._clock = clock
        self._retry = retry
        self._jitter = jitter

    async def __call__(self, event: InboxEvent, report: InboxReport | None = None) -> bool:
        """Apply one stored POST; False when it failed (its failure is recorded, and it is retried or quarantined)."""
        try:
            await self._apply(event, report if report is not None else InboxReport())
        except Exception as error:  # noqa: BLE001 - any failure of one POST stays with that POST
            await self._failed(event, error, report)
            return False
        return True

    async def process_pending(self, limit: int = 100) -> InboxReport:
        """Apply what is due (at start-up, what a crash left behind; later, POSTs whose retry time came).

        The POSTs of a batch are applied concurrently, so a store that groups commits writes them
        together. Order between them does not matter: every change commutes (messages keyed by
        wamid, statuses and windows joined, template updates ordered by Meta's time).
        """
        report = InboxReport()
        pending = await self._inbox.unprocessed(limit, due_by=self._clock.now())
        await asyncio.gather(*(self(event, report) for event in pending))
        report.posts = len(pending)
        return report

    async def _apply(self, source: InboxEvent, report: InboxReport) -> None:
        now = self._clock.now()
        try:
            events = self._decoder.decode(source.untrusted_body)
        except MalformedWebhook as error:
            await self._writer.write(PostChanges(inbox_event_id=source.id, processed_at=now))
            report.applied_after.append((self._clock.now() - source.received_at).total_seconds())
            await self._live.publish("webhook.malformed", {"inbox_event_id": source.id, "error": str(error)})
            return
        customers = await self._identify(events)
        post = _changes(source.id, now, events, customers)
        outcome = await self._writer.write(post)
        report.applied_after.append((self._clock.now() - source.received_at).total_seconds())
        await self._publish(source, events, post, outcome)
        for event in events:
            report.count(_KINDS[type(event)])

    async def _identify(self, events: list[WebhookEvent]) -> dict[str, Customer]:
        """Before the POST's unit of work, the directory resolves (and merges) who each event names, in
        its own transaction: idempotent, so a POST applied again after a failure finds the same customers
        and changes nothing twice. A merge is published as `customer.merged` once its commit made it true."""
        customers: dict[str, Customer] = {}
        for event in events:
            match event:
                case InboundMessageReceived():
                    sighting = Sighting(identity=event.identity, former=event.former, at=event.at)
                    customer = await self._identified(sighting)
                    if customer is None:
                        raise InvalidIdentifier(
                            f"message {event.wamid} names no customer: neither a phone number nor a BSUID"
                        )
                    customers[event.wamid] = customer
                case MessageChanged():
                    await self._identified(Sighting(identity=event.identity, at=event.change.at))
                case StatusReported():
                    await self._learn_recipient(event)
        return customers

    async def _identified(self, sighting: Sighting) -> Customer | None:
        identified = await self._customers.identify(sighting)
        if identified is None:
            return None
        if identified.absorbed:
            customer = identified.customer
            await self._live.publish(
                "customer.merged",
                {
                    "customer_id": customer.id,
                    "absorbed": list(identified.absorbed),
                    "identity": msgspec.to_builtins(customer.identity),
                },
            )
        return identified.customer

    async def _learn_recipient(self, event: StatusReported) -> None:
        """A status names the customer its message went to by number, BSUID or both: a BSUID, or the number
        of a customer known only by BSUID, now finds them too. A status naming nothing new costs no write."""
        message = await self._find_sent(event)
        if message is None:
            return
        known = await self._customers.find(message.customer_id)
        if event.recipient.user_id is None and (known is None or known.identity.wa_id is not None):
            return  # a number alone is news only to a customer known without one: else it is how we addressed them
        sighting = Sighting(identity=event.recipient, known_as=(message.customer_id,), at=event.event.at)
        if known is not None and _adds_nothing(known, sighting):
            return
        await self._identified(sighting)

    async def _find_sent(self, event: StatusReported) -> Message | None:
        our_id = _our_id(event.callback_data)
        message = None if our_id is None else await self._messages.get(our_id)
        return message if message is not None else await self._messages.find_by_wamid(event.wamid)

    async def _publish(
        self, source: InboxEvent, events: list[WebhookEvent], post: PostChanges, outcome: PostOutcome
    ) -> None:
        for change, first in zip(post.received, outcome.first_deliveries, strict=True):
            if first:
                await self._live.publish("message.received", message_event(change.message))
        for applied in outcome.statuses:
            if applied is not None and applied.after.status != applied.before.status:
                await self._live.publish("message.status", message_event(applied.after))
        for template in outcome.templates:
            if template is not None:
                await self._live.publish("template.updated", template_event(template))
        for message in outcome.updated:
            await self._live.publish("message.updated", message_event(message))
        for item in events:
            if isinstance(item, ChangeErrorsReported):
                await self._live.publish(
                    "webhook.errors",
                    {
                        "inbox_event_id": source.id,
                        "phone_number_id": item.phone_number_id,
                        "errors": msgspec.to_builtins(item.errors),
                    },
                )
            if isinstance(item, UndecodableItem):
                await self._live.publish(
                    "webhook.undecodable",
                    {
                        "inbox_event_id": source.id,
                        "path": item.path,
                        "reason": item.reason,
                        "phone_number_id": item.phone_number_id,
                    },
                )

    async def _failed(self, event: InboxEvent, error: Exception, report: InboxReport | None) -> None:
        attempts = event.attempts + 1
        now = self._clock.now()
        quarantine = self._retry.gives_up_after(attempts)
        retry_at = None if quarantine else now + self._retry.delay(attempts, self._jitter())
        whole = "".join(traceback.format_exception(error))
        await self._inbox.failed(event.id, InboxFailure(attempts=attempts, error=whole, at=now, retry_at=retry_at))
        summary = f"{type(error).__name__}: {error}"
        if report is not None:
            report.failed[event.id] = summary
            if quarantine:
                report.quarantined.append(event.id)
        if quarantine:
            await self._live.publish(
                "webhook.quarantined", {"inbox_event_id": event.id, "attempts": attempts, "error": summary}
            )


def _changes(
    inbox_event_id: str, now: datetime, events: list[WebhookEvent], customers: dict[str, Customer]
) -> PostChanges:
    """Every event of the POST as the change it makes; the store applies them to what it holds."""
    post = PostChanges(inbox_event_id=inbox_event_id, processed_at=now)
    for event in events:
        match event:
            case InboundMessageReceived():
                post.received.append(receive(event, customers[event.wamid], now))
                if isinstance(event.content, Reaction) and is_wamid(event.content.message_id):
                    reaction = ReactionChange(wamid=event.wamid, at=event.at, emoji=event.content.emoji)
                    post.changes.append(ChangeMessage(original=Wamid(event.content.message_id), change=reaction))
            case MessageChanged():
                post.changes.append(ChangeMessage(original=event.original_wamid, change=event.change))
            case StatusReported():
                post.statuses.append(_report_status(event))
            case TemplateStatusChanged() | TemplateQualityChanged():
                post.templates.append(_change_template(event))
    return post


def _report_status(event: StatusReported) -> ReportStatus:
    """Our id travels in biz_opaque_callback_data, so a status matches even before the wamid was recorded."""
    return ReportStatus(
        message_id=_our_id(event.callback_data),
        wamid=event.wamid,
        event=event.event,
        pricing=event.pricing,
        conversation=event.conversation,
        change=lambda m: _with_reported_status(m, event),
    )


def _with_reported_status(message: Message, event: StatusReported) -> Message:
    return with_status(message, event.event, wamid=event.wamid, pricing=event.pricing, conversation=event.conversation)


def _adds_nothing(customer: Customer, sighting: Sighting) -> bool:
    """The sighting names no handle the customer lacks and tells nothing new of who they are."""
    return set(sighting.handles()) <= {*customer.handles, customer.id} and (
        customer.identity.merged_with(sighting.identity) == customer.identity
    )


def _our_id(callback_data: str | None) -> MessageId | None:
    if callback_data is None:
        return None
    try:
        return parse_message_id(callback_data)
    except InvalidIdentifier:
        return None


def _change_template(event: TemplateStatusChanged | TemplateQualityChanged) -> ChangeTemplate:
    """A template wahub does not know (made elsewhere) or a status Meta added later waits for the next sync."""
    return ChangeTemplate(
        name=event.name,
        language=event.language,
        template_id=event.template_id,
        change=lambda template: _changed(template, event),
    )


_KINDS: dict[type, str] = {
    InboundMessageReceived: "message",
    MessageChanged: "message_change",
    ChangeErrorsReported: "change_errors",
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
