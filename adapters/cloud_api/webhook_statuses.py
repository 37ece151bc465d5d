"""An outbound message's status, read from one item of `statuses[]`.

A status is applied to the message its wamid names, at Meta's time: one whose keys are missing,
whose `id` is not a wamid or whose `timestamp` is not unix seconds cannot be applied and is refused
as Unreadable, alone. Status values the domain does not know (Meta adds some, as it added `played`
in 2025) produce no event: wahub keeps no state for them.

Everything Meta tells about the message is kept: every error of a failure, the `conversation`
object and the `pricing` object, and who the message reached (phone number, BSUID, username).
"""

from __future__ import annotations

import msgspec

from adapters.cloud_api.webhook_items import decoded, parsed, unix_time
from adapters.cloud_api.webhook_messages import card_identity
from adapters.cloud_api.webhook_wire import ContactCard, ConversationWire, PricingWire, Status, WebhookError
from domain.customers import CustomerIdentity
from domain.ids import Bsuid, PhoneNumberId, WaId, is_bsuid, parse_wamid
from domain.messages import BillingConversation, Pricing
from domain.status import Failure, MessageStatus, StatusEvent
from domain.webhook_events import StatusReported

_status = msgspec.json.Decoder(Status)

_META_STATUSES = {status: MessageStatus(status) for status in ("sent", "delivered", "read", "played", "failed")}


def status_events(
    raw: msgspec.Raw, where: str, phone_number_id: PhoneNumberId, cards: list[ContactCard]
) -> list[StatusReported]:
    """One status item's event, or none when its value is one wahub keeps no state for."""
    status = decoded(_status, raw, where)
    meta_status = _META_STATUSES.get(status.status)
    if meta_status is None:
        return []
    errors = tuple(failure(e) for e in status.errors) if meta_status is MessageStatus.FAILED else ()
    at = unix_time(status.timestamp, f"{where}.timestamp")
    reported = StatusReported(
        phone_number_id=phone_number_id,
        wamid=parsed(parse_wamid, status.id, f"{where}.id"),
        recipient=card_identity(_recipient(status), cards),
        event=StatusEvent(status=meta_status, at=at, failure=errors[0] if errors else None, errors=errors),
        pricing=_pricing(status.pricing),
        conversation=_conversation(status.conversation, where),
        callback_data=status.biz_opaque_callback_data,
    )
    return [reported]


def failure(error: WebhookError) -> Failure:
    """Meta sends `message` equal to `title`; either names the failure when the other is missing."""
    title = error.title or error.message or f"error {error.code}"
    return Failure(
        code=error.code,
        title=title,
        details=error.error_data.details if error.error_data else None,
        message=error.message if error.message != title else None,
    )


def _recipient(status: Status) -> CustomerIdentity:
    """`recipient_id` is a phone number, or the BSUID of a send to one; `recipient_user_id` the BSUID."""
    recipient = status.recipient_id or ""
    user_id = status.recipient_user_id or (recipient if is_bsuid(recipient) else None)
    parent = status.recipient_parent_user_id
    return CustomerIdentity(
        wa_id=WaId(recipient) if recipient.isdigit() else None,
        user_id=Bsuid(user_id) if user_id and is_bsuid(user_id) else None,
        parent_user_id=Bsuid(parent) if parent and is_bsuid(parent) else None,
    )


def _conversation(conversation: ConversationWire | None, where: str) -> BillingConversation | None:
    if conversation is None:
        return None
    expiry = conversation.expiration_timestamp
    return BillingConversation(
        id=conversation.id,
        origin=conversation.origin.type if conversation.origin else None,
        expires_at=unix_time(expiry, f"{where}.conversation.expiration_timestamp") if expiry is not None else None,
    )


def _pricing(pricing: PricingWire | None) -> Pricing | None:
    """Meta spells one category both `authentication_international` and `authentication-international`."""
    if pricing is None or pricing.category is None:
        return None
    return Pricing(
        category=pricing.category.replace("-", "_"),
        type=pricing.type,
        pricing_model=pricing.pricing_model,
        billable=pricing.billable,
    )
