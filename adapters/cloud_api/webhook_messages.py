"""A customer's inbound message, read from one item of `messages[]`.

Content degrades, identity refuses. A message whose type is unknown or whose type object does not
decode is kept as `Unsupported` (with the reason in `detail`), so the customer's message is never
lost. A message without `id`, a readable `timestamp` or any name of its sender (`from`, the phone
number, or `from_user_id`, the BSUID) has no identity or time to store it under: it is refused as
Unreadable, and its siblings are still read.

Who wrote is read from the message and from the `contacts[]` card that names the same phone
number or BSUID: the card adds the profile name, the username and the parent BSUID. An `edit` or
`revoke` is not a message of its own but a change to an earlier one (MessageChanged).
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.cloud_api.webhook_items import Unreadable, decoded, located, unix_time
from adapters.cloud_api.webhook_wire import ContactCard, InboundMessage, MessageContext, MessageHead, WebhookError
from domain.content import Contacts, Content, RequestWelcome, System, Unsupported
from domain.customers import CustomerIdentity
from domain.errors import InvalidIdentifier
from domain.ids import Bsuid, PhoneNumberId, WaId, Wamid, is_bsuid, parse_bsuid, parse_wa_id, parse_wamid
from domain.message_changes import Edit, Revoke
from domain.messages import ReplyContext
from domain.webhook_events import InboundMessageReceived, MessageChanged

_message = msgspec.json.Decoder(InboundMessage)
_message_head = msgspec.json.Decoder(MessageHead)

_TYPE_OBJECTS = frozenset("text image video audio document sticker location interactive button reaction order".split())


def inbound_message(
    raw: msgspec.Raw, where: str, phone_number_id: PhoneNumberId, cards: list[ContactCard]
) -> InboundMessageReceived | MessageChanged:
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
    identity = _sender(message, cards, where)
    try:
        wamid = parse_wamid(message.id)
    except InvalidIdentifier as error:
        wamid, refusal = Wamid(message.id), str(error)
    if isinstance(message, InboundMessage) and refusal is None:
        change = _change(message, at, where)
        if change is not None:
            original, what = change
            return MessageChanged(phone_number_id=phone_number_id, original_wamid=original, identity=identity, change=what)
        content, context, referral = _content(message), _reply_context(message.context), message.referral
    else:
        content, context, referral = Unsupported(original_type=message.type, detail=refusal), None, None
    card = _card_of(identity, cards)
    identity, former = _changed_handles(message, identity)
    return InboundMessageReceived(
        phone_number_id=phone_number_id,
        wamid=wamid,
        identity=identity,
        at=at,
        content=content,
        customer_name=card.profile.name if card and card.profile else None,
        context=context,
        referral=referral,
        former=former,
    )


def _sender(message: MessageHead, cards: list[ContactCard], where: str) -> CustomerIdentity:
    """`from` is a phone number; a BSUID found there (seen in early 2026 payloads) is read as one."""
    sender, user_id = message.sender or None, message.from_user_id or None
    if sender is not None and is_bsuid(sender):
        sender, user_id = None, user_id or sender
    try:
        wa_id = parse_wa_id(sender) if sender is not None else None
        bsuid = parse_bsuid(user_id) if user_id is not None else None
    except InvalidIdentifier as error:
        raise Unreadable(f"{where}: the sender is unreadable: {error}") from None
    identity = CustomerIdentity(wa_id=wa_id, user_id=bsuid, parent_user_id=_bsuid(message.from_parent_user_id))
    card = _card_of(identity, cards)
    if card is not None:
        identity = _card_identity(card).merged_with(identity)
    if identity.wa_id is None and identity.user_id is None:
        raise Unreadable(f"{where}: names no sender: neither `from` (phone number) nor `from_user_id` (BSUID)")
    return identity


def card_identity(identity: CustomerIdentity, cards: list[ContactCard]) -> CustomerIdentity:
    """What the contact card naming the same number or BSUID adds (2026 statuses carry one; failed ones do not)."""
    card = _card_of(identity, cards)
    return identity if card is None else _card_identity(card).merged_with(identity)


def _card_identity(card: ContactCard) -> CustomerIdentity:
    wa_id = card.wa_id if card.wa_id and card.wa_id.isdigit() else None
    return CustomerIdentity(
        wa_id=WaId(wa_id) if wa_id else None,
        user_id=_bsuid(card.user_id),
        parent_user_id=_bsuid(card.parent_user_id),
        username=card.profile.username if card.profile and card.profile.username else None,
    )


def _card_of(identity: CustomerIdentity, cards: list[ContactCard]) -> ContactCard | None:
    for card in cards:
        if (identity.wa_id and card.wa_id == identity.wa_id) or (identity.user_id and card.user_id == identity.user_id):
            return card
    return None


def _bsuid(raw: str | None) -> Bsuid | None:
    return Bsuid(raw) if raw and is_bsuid(raw) else None


def _changed_handles(message: MessageHead, sender: CustomerIdentity) -> tuple[CustomerIdentity, tuple[str, ...]]:
    """Who sent it now, and the handles left behind: a system notice is sent under the old number or
    BSUID and names the new ones (`user_changed_number`: a new number and a new BSUID;
    `user_changed_user_id`: only a new BSUID), with the old BSUID in `previous_user_id`."""
    system = message.system if isinstance(message, InboundMessage) and message.type == "system" else None
    if system is None:
        return sender, ()
    new_wa_id = WaId(system.wa_id) if system.wa_id and system.wa_id.isdigit() else None
    new_user_id = _bsuid(system.user_id)
    new_parent = _bsuid(system.parent_user_id)
    left = (sender.user_id, _bsuid(system.previous_user_id))
    if system.type == "user_changed_number" and (new_wa_id or new_user_id):
        former = tuple(dict.fromkeys(h for h in (sender.wa_id, *left) if h and h not in (new_wa_id, new_user_id)))
        return CustomerIdentity(wa_id=new_wa_id, user_id=new_user_id, parent_user_id=new_parent, username=sender.username), former
    if system.type == "user_changed_user_id" and new_user_id:
        former = tuple(dict.fromkeys(h for h in left if h and h != new_user_id))
        identity = CustomerIdentity(wa_id=sender.wa_id, user_id=new_user_id, parent_user_id=new_parent, username=sender.username)
        return identity, former
    return sender, ()


def _change(message: InboundMessage, at: datetime, where: str) -> tuple[Wamid, Edit | Revoke] | None:
    """An edit or revoke of an earlier message; None for any other message."""
    wamid = Wamid(message.id)
    if message.type == "revoke" and message.revoke is not None:
        return _original(message.revoke.original_message_id, where), Revoke(wamid=wamid, at=at)
    if message.type == "edit" and message.edit is not None:
        content = _edited_content(message, where)
        return _original(message.edit.original_message_id, where), Edit(wamid=wamid, at=at, content=content)
    return None


def _original(raw: str, where: str) -> Wamid:
    try:
        return parse_wamid(raw)
    except InvalidIdentifier as error:
        raise Unreadable(f"{where}: the edited or revoked message is unreadable: {error}") from None


def _edited_content(message: InboundMessage, where: str) -> Content:
    """The new message comes without its own id, sender or time: it is read as a message with the edit's."""
    assert message.edit is not None
    body = msgspec.json.decode(message.edit.message)
    if not isinstance(body, dict):
        return Unsupported(original_type="edit", detail="the edit carries no new message")
    try:
        edited = msgspec.convert({**body, "id": message.id, "timestamp": message.timestamp}, InboundMessage)
    except msgspec.ValidationError as error:
        return Unsupported(original_type="edit", detail=f"the edited message did not decode: {located(error, where)}")
    return _content(edited)


def _content(message: InboundMessage) -> Content:
    """Meta puts a message's content under the key named by its `type`; anything else is Unsupported."""
    payload: Content | None
    if message.type in _TYPE_OBJECTS:
        payload = getattr(message, message.type)
    elif message.type == "system":
        system = message.system
        payload = None if system is None else System(
            body=system.body or "", type=system.type, wa_id=system.wa_id, user_id=system.user_id
        )
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
