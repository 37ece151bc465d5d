"""A message as wahub keeps it: content, direction, the customer it belongs to, and its status record."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from domain.content import Content
from domain.customers import CustomerIdentity
from domain.ids import CustomerId, MessageId, PhoneNumberId, Wamid
from domain.message_changes import (
    Edit,
    MessageChange,
    ReactionChange,
    Revoke,
    earliest_revoke,
    join_edits,
    latest_reaction,
)
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


class BillingConversation(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Meta's `conversation` object on statuses: the conversation this message opened or belongs to."""

    id: str | None = None
    origin: str | None = None
    expires_at: datetime | None = None


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
    conversation: BillingConversation | None = None
    business_initiated: bool = False
    response_seconds: float | None = None
    retry_of: MessageId | None = None
    """The failed message this one sends again."""
    customer_name: str | None = None
    resent_after_unknown: bool = False
    """Sent again after an unknown outcome that no status of Meta's resolved: the customer may have it twice."""
    identity: CustomerIdentity = CustomerIdentity()
    """Who the customer was known as when this message was received or sent."""
    edits: tuple[Edit, ...] = ()
    """The customer's edits, oldest first; `content` stays the message as first sent."""
    revoked_at: datetime | None = None
    """When the customer deleted it for everyone; the content is kept for audit."""
    reaction: ReactionChange | None = None
    """The customer's reaction to this message (an empty emoji: taken back)."""

    @property
    def shown_content(self) -> Content:
        return self.edits[-1].content if self.edits else self.content

    @property
    def earlier_versions(self) -> list[tuple[Content, datetime]]:
        """What the message showed before each edit, with when it was replaced."""
        before_each = [self.content, *(e.content for e in self.edits)][: len(self.edits)]
        return [(content, edit.at) for content, edit in zip(before_each, self.edits, strict=True)]


def with_change(message: Message, change: MessageChange) -> Message:
    match change:
        case Edit():
            return msgspec.structs.replace(message, edits=join_edits(message.edits, change))
        case Revoke():
            return msgspec.structs.replace(message, revoked_at=earliest_revoke(message.revoked_at, change))
        case ReactionChange():
            return msgspec.structs.replace(message, reaction=latest_reaction(message.reaction, change))


def with_status(
    message: Message,
    event: StatusEvent,
    *,
    wamid: Wamid | None = None,
    pricing: Pricing | None = None,
    conversation: BillingConversation | None = None,
) -> Message:
    """Join a status into the message; wamid, pricing and conversation fill in when first learnt, never change after."""
    return msgspec.structs.replace(
        message,
        status=apply_status(message.status, event),
        wamid=message.wamid or wamid,
        pricing=message.pricing or pricing,
        conversation=message.conversation or conversation,
    )
