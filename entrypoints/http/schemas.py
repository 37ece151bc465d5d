"""The public API's response shapes, kept apart from the domain so the domain can change freely."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from domain.content import kind_of
from domain.conversations import Conversation
from domain.messages import Message


class StatusStep(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    at: datetime


class FailureView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: int
    title: str
    details: str | None = None


class MessageView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    direction: str
    phone_number_id: str
    wa_id: str
    type: str
    content: dict[str, Any]
    status: str
    status_history: list[StatusStep]
    created_at: datetime
    wamid: str | None = None
    failure: FailureView | None = None
    pricing: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    customer_name: str | None = None
    retry_of: str | None = None


class ConversationView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    phone_number_id: str
    wa_id: str
    last_activity_at: datetime
    window: str
    unread_count: int
    window_closes_at: datetime | None = None
    customer_name: str | None = None
    last_message_preview: str | None = None


class PageView(msgspec.Struct, frozen=True, kw_only=True):
    data: list[Any]
    next_cursor: str | None = None


def message_view(message: Message) -> MessageView:
    content = msgspec.to_builtins(message.content)
    content.pop("kind", None)
    failure = message.status.failure
    history = sorted(message.status.reached_at.items(), key=lambda item: item[0].rank)
    return MessageView(
        id=message.id,
        direction=message.direction,
        phone_number_id=message.phone_number_id,
        wa_id=message.wa_id,
        type=kind_of(message.content),
        content=content,
        status=message.status.status,
        status_history=[StatusStep(status=status, at=at) for status, at in history],
        created_at=message.created_at,
        wamid=message.wamid,
        failure=FailureView(code=failure.code, title=failure.title, details=failure.details) if failure else None,
        pricing=msgspec.to_builtins(message.pricing) if message.pricing else None,
        context=msgspec.to_builtins(message.context) if message.context else None,
        customer_name=message.customer_name,
        retry_of=message.retry_of,
    )


def conversation_view(conversation: Conversation, now: datetime) -> ConversationView:
    return ConversationView(
        phone_number_id=conversation.phone_number_id,
        wa_id=conversation.wa_id,
        last_activity_at=conversation.last_activity_at,
        window=conversation.window_state(now),
        window_closes_at=conversation.window.closes_at,
        unread_count=conversation.unread_count,
        customer_name=conversation.customer_name,
        last_message_preview=conversation.last_message_preview,
    )
