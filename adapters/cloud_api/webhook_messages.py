"""A customer's inbound message, read from one item of `messages[]`.

Content degrades, identity refuses. A message whose type is unknown, whose type object does not
decode, or whose `from`/`id` the domain refuses is kept as `Unsupported` (with Meta's `from`/`id`
text as given and the reason in `detail`), so the customer's message is never lost. A message
without `id`, `from` or a readable `timestamp` has no identity or time to store it under: it is
refused as Unreadable, and its siblings are still read.
"""

from __future__ import annotations

import msgspec

from adapters.cloud_api.webhook_items import decoded, located, unix_time
from adapters.cloud_api.webhook_wire import InboundMessage, MessageContext, MessageHead, WebhookError
from domain.content import Contacts, Content, RequestWelcome, Unsupported
from domain.customers import CustomerIdentity
from domain.errors import InvalidIdentifier
from domain.ids import PhoneNumberId, WaId, Wamid, parse_wa_id, parse_wamid
from domain.messages import ReplyContext
from domain.webhook_events import InboundMessageReceived

_message = msgspec.json.Decoder(InboundMessage)
_message_head = msgspec.json.Decoder(MessageHead)

_TYPE_OBJECTS = frozenset(
    "text image video audio document sticker location interactive button reaction order system".split()
)


def inbound_message(
    raw: msgspec.Raw, where: str, phone_number_id: PhoneNumberId, names: dict[str, str | None]
) -> InboundMessageReceived:
    refusal: str | None = None
    try:
        message: MessageHead = _message.decode(raw)
    except msgspec.ValidationError as error:
        message = decoded(_message_head, raw, where)
        refusal = f"Meta's {message.type!r} message did not decode: {located(error, where)}"
    except (msgspec.DecodeError, RecursionError) as error:
        message = decoded(_message_head, raw, where)
        refusal = f"Meta's {message.type!r} message is not valid JSON: {error or 'nested too deeply'}"
    at = unix_time(message.timestamp, f"{where}.timestamp")
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
        identity=CustomerIdentity(wa_id=wa_id),
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


def _error_detail(errors: list[WebhookError]) -> str | None:
    """Meta's own words for why a message is unsupported, e.g. `131051 Message type unknown: ...`."""
    if not errors:
        return None
    error = errors[0]
    summary = " ".join(str(part) for part in (error.code, error.title or error.message) if part)
    details = error.error_data.details if error.error_data else None
    return f"{summary}: {details}" if details else summary
