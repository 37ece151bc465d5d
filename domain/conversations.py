"""Conversations and the 24-hour customer-service window.

A customer's message opens (or refreshes) a window of 24 h in which the business may send anything;
outside it Meta only delivers approved templates and fails free-form messages with 131047.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from domain.analytics import CLOSING_SOON, opens_request
from domain.content import OutboundContent, Template, preview
from domain.customers import CustomerIdentity
from domain.errors import TemplateRequired
from domain.ids import CustomerId, PhoneNumberId, Wamid
from domain.messages import Message

WINDOW = timedelta(hours=24)


class CustomerServiceWindow(msgspec.Struct, frozen=True, kw_only=True):
    last_inbound_at: datetime | None = None

    @property
    def closes_at(self) -> datetime | None:
        return None if self.last_inbound_at is None else self.last_inbound_at + WINDOW

    def is_open(self, now: datetime) -> bool:
        closes_at = self.closes_at
        return closes_at is not None and now < closes_at

    def after_inbound(self, at: datetime) -> CustomerServiceWindow:
        """Webhooks arrive out of order: a late, older message never shortens the window."""
        if self.last_inbound_at is not None and self.last_inbound_at >= at:
            return self
        return CustomerServiceWindow(last_inbound_at=at)


def require_window_for(content: OutboundContent, window: CustomerServiceWindow, now: datetime) -> None:
    """Meta only delivers free-form messages within 24 h of the customer's last message."""
    if isinstance(content, Template) or window.is_open(now):
        return
    raise TemplateRequired(last_inbound_at=window.last_inbound_at, closed_at=window.closes_at)


def is_business_initiated(content: OutboundContent, window: CustomerServiceWindow, now: datetime) -> bool:
    """A template to a customer outside the window reaches out first: it counts against the messaging tier."""
    return isinstance(content, Template) and not window.is_open(now)


class Conversation(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One business number's thread with one customer."""

    phone_number_id: PhoneNumberId
    customer_id: CustomerId
    last_activity_at: datetime
    identity: CustomerIdentity = CustomerIdentity()
    window: CustomerServiceWindow = CustomerServiceWindow()
    customer_name: str | None = None
    unread_count: int = 0
    last_message_preview: str | None = None
    awaiting_reply_since: datetime | None = None
    """The customer's first message since the business last wrote: set, the customer's last word is unanswered."""
    first_response_due_since: datetime | None = None
    """The message that opened the customer's current request (see analytics.QUIET_PERIOD), until answered."""
    last_inbound_wamid: Wamid | None = None
    """The customer's newest message: marking it read marks the whole thread read."""

    def window_state(self, now: datetime) -> str:
        return "open" if self.window.is_open(now) else "closed"

    def is_closing_unanswered(self, now: datetime) -> bool:
        """The window is open, closes within CLOSING_SOON, and the customer's last message has no reply."""
        closes_at = self.window.closes_at
        return (
            self.awaiting_reply_since is not None and closes_at is not None and now < closes_at <= now + CLOSING_SOON
        )


def record_inbound(
    conversation: Conversation | None,
    *,
    phone_number_id: PhoneNumberId,
    customer_id: CustomerId,
    identity: CustomerIdentity,
    wamid: Wamid,
    at: datetime,
    preview: str,
    customer_name: str | None,
    first_delivery: bool,
) -> Conversation:
    """Apply a customer's message; only `first_delivery` counts it unread, so a redelivery changes nothing.

    Everything else is a maximum or a latest value, so replaying the same message after a crash
    still leaves the window and the ordering right.
    """
    current = conversation or Conversation(
        phone_number_id=phone_number_id, customer_id=customer_id, last_activity_at=at
    )
    is_latest = at >= current.last_activity_at
    is_latest_inbound = current.window.last_inbound_at is None or at >= current.window.last_inbound_at
    return Conversation(
        phone_number_id=phone_number_id,
        customer_id=customer_id,
        identity=current.identity.merged_with(identity) if is_latest_inbound else identity.merged_with(current.identity),
        last_activity_at=max(current.last_activity_at, at),
        window=current.window.after_inbound(at),
        customer_name=customer_name or current.customer_name,
        unread_count=current.unread_count + (1 if first_delivery else 0),
        last_message_preview=preview if is_latest else current.last_message_preview,
        awaiting_reply_since=current.awaiting_reply_since or at,
        first_response_due_since=current.first_response_due_since or (
            at if opens_request(None if conversation is None else conversation.last_activity_at, at) else None
        ),
        last_inbound_wamid=wamid if is_latest_inbound else current.last_inbound_wamid,
    )


def record_outbound(
    conversation: Conversation | None,
    *,
    phone_number_id: PhoneNumberId,
    customer_id: CustomerId,
    identity: CustomerIdentity,
    at: datetime,
    preview: str,
) -> Conversation:
    """The business answered: the customer no longer waits for a reply."""
    current = conversation or Conversation(
        phone_number_id=phone_number_id, customer_id=customer_id, identity=identity, last_activity_at=at
    )
    return msgspec.structs.replace(
        current,
        last_activity_at=max(current.last_activity_at, at),
        last_message_preview=preview,
        awaiting_reply_since=None,
        first_response_due_since=None,
    )


DELETED_PREVIEW = "This message was deleted"
"""WhatsApp's words where a message deleted for everyone was."""


def record_change(conversation: Conversation | None, message: Message) -> Conversation | None:
    """An edit or deletion of the thread's newest message changes what the conversation list shows of it.

    None when nothing shown changes: an older message, a reaction, or a thread not stored.
    """
    if conversation is None or message.created_at < conversation.last_activity_at:
        return None
    shown = DELETED_PREVIEW if message.revoked_at is not None else preview(message.shown_content)
    if shown == conversation.last_message_preview:
        return None
    return msgspec.structs.replace(conversation, last_message_preview=shown)


def merge_conversations(survivor: Conversation, absorbed: Conversation) -> Conversation:
    """One person's two threads with a number become one, as if every message had been in it from the start.

    The customer id and identity are the survivor's; times and counts join as `record_inbound`
    would have left them had both threads' messages arrived under one id.
    """
    latest = survivor if survivor.last_activity_at >= absorbed.last_activity_at else absorbed
    windows = [c.window.last_inbound_at for c in (survivor, absorbed) if c.window.last_inbound_at is not None]
    newest_inbound = max(
        (survivor, absorbed), key=lambda c: c.window.last_inbound_at or datetime.min.replace(tzinfo=UTC)
    )
    waiting = [c.awaiting_reply_since for c in (survivor, absorbed) if c.awaiting_reply_since is not None]
    return Conversation(
        phone_number_id=survivor.phone_number_id,
        customer_id=survivor.customer_id,
        identity=absorbed.identity.merged_with(survivor.identity),
        last_activity_at=latest.last_activity_at,
        window=CustomerServiceWindow(last_inbound_at=max(windows) if windows else None),
        customer_name=latest.customer_name or survivor.customer_name or absorbed.customer_name,
        unread_count=survivor.unread_count + absorbed.unread_count,
        last_message_preview=latest.last_message_preview,
        awaiting_reply_since=min(waiting) if waiting and latest.awaiting_reply_since is not None else None,
        last_inbound_wamid=newest_inbound.last_inbound_wamid,
    )


def join_threads(kept: Conversation | None, moved: Conversation, survivor: CustomerId) -> Conversation:
    """The survivor's thread with a number after a merge: `moved` renamed when it had none, else both joined."""
    renamed = msgspec.structs.replace(moved, customer_id=survivor)
    return renamed if kept is None else merge_conversations(kept, renamed)


def mark_read(conversation: Conversation) -> Conversation:
    return msgspec.structs.replace(conversation, unread_count=0)


def response_seconds(conversation: Conversation | None, now: datetime) -> float | None:
    """First-response time: how long the customer waited since the message that opened their request."""
    if conversation is None or conversation.first_response_due_since is None:
        return None
    return max((now - conversation.first_response_due_since).total_seconds(), 0.0)
