"""Every event of one webhook POST, read from Meta's envelope into domain events.

Meta batches: one POST may hold many entries, changes, messages and statuses, for several business
numbers. All of them are read, and each event carries the `phone_number_id` of its own change.

What is degraded and what is refused follows one line: content degrades, identity refuses.
- A message whose type is unknown, whose type object does not decode, or whose `from`/`id` the
  domain refuses is kept as `Unsupported` (with Meta's `from`/`id` text as given and the reason in
  `detail`), so the customer's message is never lost and its siblings are still applied.
- Anything that leaves an event without an identity or a time (no `id`/`from`/`timestamp` on a
  message, a status or template id that does not decode, a bad `phone_number_id` or WABA id, a
  template change without `entry.time`) raises MalformedWebhook naming the path. The inbox keeps
  the raw body and reports it; applying is idempotent by wamid, so a replay after the fix is safe,
  whereas applying part of the POST silently would hide the loss.
- Template events take their time from `entry.time`: Meta puts none in their `value`.
- Status values the domain does not know (Meta adds some, as it added `played` in 2025) and fields other than
  messages and template status/quality (account_update, ...) produce no event: wahub has no state
  for them, and refusing the POST would block every later webhook of that shape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from adapters.cloud_api.webhook_wire import (
    Entry,
    Envelope,
    InboundMessage,
    MessageContext,
    MessageHead,
    MessagesValue,
    PricingWire,
    Status,
    TemplateQualityValue,
    TemplateStatusValue,
    WebhookError,
)
from domain.content import Contacts, Content, RequestWelcome, Unsupported
from domain.errors import InvalidIdentifier, MalformedWebhook
from domain.ids import (
    PhoneNumberId,
    WabaId,
    WaId,
    Wamid,
    parse_phone_number_id,
    parse_wa_id,
    parse_waba_id,
    parse_wamid,
)
from domain.messages import Pricing, ReplyContext
from domain.status import Failure, MessageStatus, StatusEvent
from domain.webhook_events import (
    InboundMessageReceived,
    StatusReported,
    TemplateQualityChanged,
    TemplateStatusChanged,
    WebhookEvent,
)

T = TypeVar("T")

_envelope = msgspec.json.Decoder(Envelope)
_messages_value = msgspec.json.Decoder(MessagesValue)
_message = msgspec.json.Decoder(InboundMessage)
_message_head = msgspec.json.Decoder(MessageHead)
_template_status = msgspec.json.Decoder(TemplateStatusValue)
_template_quality = msgspec.json.Decoder(TemplateQualityValue)

_TYPE_OBJECTS = frozenset(
    "text image video audio document sticker location interactive button reaction order system".split()
)
_META_STATUSES = {status: MessageStatus(status) for status in ("sent", "delivered", "read", "played", "failed")}


class MetaWebhookDecoder:
    """The WebhookDecoder for Meta's Cloud API webhooks (and the simulator, which sends the same)."""

    def decode(self, untrusted_body: bytes) -> list[WebhookEvent]:
        events: list[WebhookEvent] = []
        for i, entry in enumerate(_read_envelope(untrusted_body).entry):
            for j, change in enumerate(entry.changes):
                where = f"entry[{i}].changes[{j}].value"
                if change.field == "messages":
                    events.extend(_messages_events(_decode(_messages_value, change.value, where), where))
                elif change.field == "message_template_status_update":
                    events.append(_template_status_changed(entry, _decode(_template_status, change.value, where), i))
                elif change.field == "message_template_quality_update":
                    events.append(_template_quality_changed(entry, _decode(_template_quality, change.value, where), i))
        return events


def _read_envelope(untrusted_body: bytes) -> Envelope:
    try:
        return _envelope.decode(untrusted_body)
    except msgspec.ValidationError as error:
        raise MalformedWebhook(f"body is not Meta's webhook envelope: {error}") from error
    except msgspec.DecodeError as error:
        raise MalformedWebhook(f"body is not JSON: {error}") from error


def _messages_events(value: MessagesValue, where: str) -> list[WebhookEvent]:
    phone_number_id = _parse(parse_phone_number_id, value.metadata.phone_number_id, f"{where}.metadata.phone_number_id")
    names = {card.wa_id: card.profile.name for card in value.contacts if card.wa_id and card.profile}
    events: list[WebhookEvent] = [
        _inbound(raw, phone_number_id, names, f"{where}.messages[{k}]") for k, raw in enumerate(value.messages)
    ]
    for k, status in enumerate(value.statuses):
        reported = _status_reported(status, phone_number_id, f"{where}.statuses[{k}]")
        if reported is not None:
            events.append(reported)
    return events


def _inbound(
    raw: msgspec.Raw, phone_number_id: PhoneNumberId, names: dict[str, str | None], where: str
) -> InboundMessageReceived:
    refusal: str | None = None
    try:
        message: MessageHead = _message.decode(raw)
    except msgspec.ValidationError as error:
        message = _decode(_message_head, raw, where)
        refusal = f"Meta's {message.type!r} message did not decode: {_located(error, where)}"
    at = _timestamp(message.timestamp, f"{where}.timestamp")
    try:
        wamid, wa_id = parse_wamid(message.id), parse_wa_id(message.sender)
    except InvalidIdentifier as error:
        wamid, wa_id, refusal = Wamid(message.id), WaId(message.sender), str(error)
    if isinstance(message, InboundMessage) and refusal is None:
        content, context, referral = _content(message), _reply_context(message.context), message.referral
    else:
        content, context, referral = Unsupported(original_type=message.type, detail=refusal), None, None
    return InboundMessageReceived(
        phone_number_id=phone_number_id,
        wamid=wamid,
        wa_id=wa_id,
        at=at,
        content=content,
        customer_name=names.get(message.sender),
        context=context,
        referral=referral,
    )


def _content(message: InboundMessage) -> Content:
    """Meta puts a message's content under the key named by its `type`; anything else is Unsupported."""
    payload: Content | None
    if message.type in _TYPE_OBJECTS:
        payload = getattr(message, message.type)
    elif message.type == "contacts":
        payload = Contacts(contacts=message.contacts) if message.contacts is not None else None
    elif message.type == "request_welcome":
        payload = RequestWelcome()
    elif message.type in ("unsupported", "unknown"):
        original = message.unsupported.type if message.unsupported and message.unsupported.type else message.type
        return Unsupported(original_type=original, detail=_error_detail(message.errors))
    else:
        detail = _error_detail(message.errors) or f"message type {message.type!r} is not known to wahub"
        return Unsupported(original_type=message.type, detail=detail)
    if payload is None:
        detail = _error_detail(message.errors) or f"the {message.type!r} message has no {message.type!r} object"
        return Unsupported(original_type=message.type, detail=detail)
    return payload


def _reply_context(context: MessageContext | None) -> ReplyContext | None:
    if context is None:
        return None
    return ReplyContext(
        message_id=context.id,
        sender=context.sender,
        forwarded=context.forwarded,
        frequently_forwarded=context.frequently_forwarded,
        referred_product_retailer_id=context.referred_product.product_retailer_id if context.referred_product else None,
    )


def _status_reported(status: Status, phone_number_id: PhoneNumberId, where: str) -> StatusReported | None:
    meta_status = _META_STATUSES.get(status.status)
    if meta_status is None:
        return None
    failure = _failure(status.errors[0]) if meta_status is MessageStatus.FAILED and status.errors else None
    return StatusReported(
        phone_number_id=phone_number_id,
        wamid=_parse(parse_wamid, status.id, f"{where}.id"),
        recipient=status.recipient_id,
        event=StatusEvent(status=meta_status, at=_timestamp(status.timestamp, f"{where}.timestamp"), failure=failure),
        pricing=_pricing(status.pricing),
        callback_data=status.biz_opaque_callback_data,
    )


def _failure(error: WebhookError) -> Failure:
    """Meta sends `message` equal to `title`; either names the failure when the other is missing."""
    title = error.title or error.message or f"error {error.code}"
    return Failure(code=error.code, title=title, details=error.error_data.details if error.error_data else None)


def _pricing(pricing: PricingWire | None) -> Pricing | None:
    if pricing is None or pricing.category is None:
        return None
    return Pricing(
        category=pricing.category, type=pricing.type, pricing_model=pricing.pricing_model, billable=pricing.billable
    )


def _template_status_changed(entry: Entry, value: TemplateStatusValue, i: int) -> TemplateStatusChanged:
    """Meta's reason `NONE` means there is none (it comes with approvals)."""
    return TemplateStatusChanged(
        waba_id=_waba_id(entry, i),
        template_id=str(value.message_template_id),
        name=value.message_template_name,
        language=value.message_template_language,
        status=value.event,
        at=_entry_time(entry, i),
        reason=None if value.reason in (None, "NONE") else value.reason,
    )


def _template_quality_changed(entry: Entry, value: TemplateQualityValue, i: int) -> TemplateQualityChanged:
    return TemplateQualityChanged(
        waba_id=_waba_id(entry, i),
        template_id=str(value.message_template_id),
        name=value.message_template_name,
        language=value.message_template_language,
        quality=value.new_quality_score,
        at=_entry_time(entry, i),
    )


def _waba_id(entry: Entry, i: int) -> WabaId:
    return _parse(parse_waba_id, entry.id, f"entry[{i}].id")


def _entry_time(entry: Entry, i: int) -> datetime:
    if entry.time is None:
        raise MalformedWebhook(f"entry[{i}].time is missing: template events take their time from it")
    return _timestamp(entry.time, f"entry[{i}].time")


def _error_detail(errors: list[WebhookError]) -> str | None:
    """Meta's own words for why a message is unsupported, e.g. `131051 Message type unknown: ...`."""
    if not errors:
        return None
    error = errors[0]
    summary = " ".join(str(part) for part in (error.code, error.title or error.message) if part)
    details = error.error_data.details if error.error_data else None
    return f"{summary}: {details}" if details else summary


def _timestamp(raw: str | int, where: str) -> datetime:
    """Meta's unix seconds (a string on messages and statuses) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise MalformedWebhook(f"{where} is {raw!r}, not unix seconds") from error


def _parse(parse: Callable[[str], T], raw: str, where: str) -> T:
    try:
        return parse(raw)
    except InvalidIdentifier as error:
        raise MalformedWebhook(f"{where}: {error}") from error


def _decode(decoder: msgspec.json.Decoder[T], raw: msgspec.Raw, where: str) -> T:
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise MalformedWebhook(_located(error, where)) from error


def _located(error: msgspec.ValidationError, where: str) -> str:
    """msgspec's path starts at the decoded value (`$`); name it from the top of the POST instead."""
    message = str(error)
    return message.replace("`$", f"`{where}") if "`$" in message else f"{message} - at `{where}`"
