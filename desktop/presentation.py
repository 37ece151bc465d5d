"""How conversations and messages read in the window: pure functions, no Qt, WhatsApp's rules from domain/."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from desktop.client import Conversation, Message
from domain.content import Content, preview
from domain.conversations import WINDOW, CustomerServiceWindow

TICKS = {"queued": "◷", "accepted": "◷", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "failed": "⚠"}
MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})


def customer_window(closes_at: datetime | None) -> CustomerServiceWindow:
    """The domain's window, from what the API says of it (its closing time)."""
    return CustomerServiceWindow(last_inbound_at=None if closes_at is None else closes_at - WINDOW)


def window_open(conversation: Conversation, now: datetime) -> bool:
    return customer_window(conversation.window_closes_at).is_open(now)


def window_badge(conversation: Conversation, now: datetime) -> str:
    """Time left to answer freely, or that only a template may go out."""
    window = customer_window(conversation.window_closes_at)
    if not window.is_open(now) or window.closes_at is None:
        return "template only"
    left = window.closes_at - now
    hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
    return f"{hours}h {minutes:02d}m left" if hours else f"{minutes}m left"


def after_inbound(conversation: Conversation, message: Message) -> Conversation:
    """The list row once `message` arrived: the domain says how the window moves, the row counts it unread."""
    window = customer_window(conversation.window_closes_at).after_inbound(message.created_at)
    return msgspec.structs.replace(
        conversation,
        last_activity_at=max(conversation.last_activity_at, message.created_at),
        window="open",
        window_closes_at=window.closes_at,
        unread_count=conversation.unread_count + 1,
        customer_name=message.customer_name or conversation.customer_name,
        last_message_preview=message_preview(message),
    )


def after_outbound(conversation: Conversation, message: Message) -> Conversation:
    return msgspec.structs.replace(
        conversation,
        last_activity_at=max(conversation.last_activity_at, message.created_at),
        last_message_preview=message_preview(message),
    )


def conversation_from(message: Message) -> Conversation:
    """A row for a customer the list has not loaded yet (a first message, live)."""
    row = Conversation(
        phone_number_id=message.phone_number_id,
        customer_id=message.customer_id,
        wa_id=message.wa_id,
        user_id=message.user_id,
        username=message.username,
        last_activity_at=message.created_at,
        window="closed",
        unread_count=0,
        customer_name=message.customer_name,
    )
    return after_inbound(row, message) if message.direction == "inbound" else after_outbound(row, message)


def content_of(message: Message) -> Content | None:
    """The domain's content for the API's (type + that type's object); None for a shape it does not know."""
    try:
        content: Content = msgspec.convert({**message.content, "kind": message.type}, Content)
        return content
    except msgspec.ValidationError:
        return None


def message_preview(message: Message) -> str:
    content = content_of(message)
    return preview(content) if content is not None else f"[{message.type}]"


def bubble_text(message: Message) -> str:
    """The full text of a bubble; never empty, so no bubble is ever blank."""
    body: Any = message.content.get("body") if message.type == "text" else message.content.get("caption")
    if isinstance(body, str) and body:
        return body
    if message.type in MEDIA_TYPES:
        return ""
    if message.type == "unsupported":
        original = message.content.get("original_type", "unknown")
        return f"Unsupported message ({original}): WhatsApp could not show it here; ask the customer to resend it."
    return message_preview(message)


def media_label(message: Message) -> str:
    """The chip of an audio, video, document or sticker."""
    name = message.content.get("filename") or message.content.get("mime_type") or message.type
    return f"{message.type}: {name}"


def failure_text(message: Message) -> str:
    if message.failure is None:
        return "Failed"
    failure = message.failure
    detail = f" — {failure.details}" if failure.details else ""
    return f"Failed ({failure.code}): {failure.title}{detail}"


def local_time(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M")


def day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    return day.strftime("%A, %d %B %Y")


def local_day(at: datetime) -> date:
    return at.astimezone().date()
