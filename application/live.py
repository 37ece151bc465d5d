"""The payloads of live events, shaped once for every publisher (SSE clients read them as JSON)."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.messages import Message
from domain.templates import MessageTemplate


def message_event(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(message)
    return data


def template_event(template: MessageTemplate) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(template)
    return data
