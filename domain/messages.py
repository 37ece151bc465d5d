"""A message as wahub keeps it: content, direction, the customer it belongs to, and its status record."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from domain.content import Content
from domain.customers import CustomerIdentity
from domain.ids import CustomerId, MessageId, PhoneNumberId, Wamid
from domain.status import StatusEvent, StatusRecord, apply_status


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class ReplyContext(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What an inbound message quotes or how it was forwarded; outbound, the wamid we quote."""

    message_id: str | None = None
    sender: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product_retailer_id: str | None = None


class Referral(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The Click-to-WhatsApp ad or post the customer came from."""

    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    headline: str | None = None
    body: str | None = None
    media_type: str | None = None
    ctwa_clid: str | None = None


class Pricing(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Meta's pricing object from status webhooks: what this message is billed as."""

    category: str
    type: str | None = None
    pricing_model: str | None = None
    billable: bool | None = None


class Message(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: MessageId
    direction: Direction
    phone_number_id: PhoneNumberId
    customer_id: CustomerId
    content: Content
    created_at: datetime
    status: StatusRecord
    wamid: Wamid | None = None
    context: ReplyContext | None = None
    referral: Referral | None = None
    pricing: Pricing | None = None
    business_initiated: bool = False
    response_seconds: float | None = None
    retry_of: MessageId | None = None
    """The failed message this one sends again."""
    customer_name: str | None = None
    resent_after_unknown: bool = False
    """Sent again after an unknown outcome that no status of Meta's resolved: the customer may have it twice."""
    identity: CustomerIdentity = CustomerIdentity()
    """Who the customer was known as when this message was received or sent."""


def with_status(
    message: Message, event: StatusEvent, *, wamid: Wamid | None = None, pricing: Pricing | None = None
) -> Message:
    """Join a status into the message; the wamid and pricing fill in when first learnt, never change after."""
    return msgspec.structs.replace(
        message,
        status=apply_status(message.status, event),
        wamid=message.wamid or wamid,
        pricing=message.pricing or pricing,
    )
