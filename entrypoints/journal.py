"""Log lines for what an operator must act on and that the live events already tell: a send that failed for good.

The dispatcher gives up on a message (retries exhausted, or a refusal retrying cannot fix) and Meta's
status webhooks fail messages later (131047, 131026...); both publish the message as `message.status`
with status `failed`. Following the live events here logs each such message once, with its reason, and
keeps logging out of the use cases.
"""

from __future__ import annotations

import logging
from typing import Any

from application.ports import LiveEvents
from entrypoints.logs import event

log = logging.getLogger("wahub.journal")


async def follow(live_events: LiveEvents) -> None:
    """Runs until cancelled, from the events published after it starts."""
    async for published in live_events.subscribe(after=None):
        status = published.data.get("status")
        if published.type == "message.status" and isinstance(status, dict) and status.get("status") == "failed":
            _failed(published.data, status.get("failure") or {})


def _failed(message: dict[str, Any], failure: dict[str, Any]) -> None:
    event(
        log,
        "message.failed",
        "a message failed for good",
        level=logging.WARNING,
        message_id=message.get("id"),
        customer_id=message.get("customer_id"),
        code=failure.get("code"),
        title=failure.get("title"),
        details=failure.get("details"),
    )
