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


STREAM_RESET = "stream.reset"


def stream_reset_event(last_event_id: int, resumes_after: int, retained: int) -> dict[str, Any]:
    """What a client resuming from an id we cannot honour must know: what it missed is gone, reload from the API."""
    return {
        "last_event_id": last_event_id,
        "resumes_after": resumes_after,
        "reason": (
            f"the events after {last_event_id} are not available: live events are kept in memory by one server "
            f"process (which may have restarted) and only the latest {retained}; reload state from the API"
        ),
    }
