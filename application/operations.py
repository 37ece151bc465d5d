"""Operational questions: does the store answer, and how much work is waiting (setup checks: setup_checks.py)."""

from __future__ import annotations

import msgspec

from application.ports import Inbox, Outbox

INBOX_BACKLOG_CAP = 10_000
"""The inbox port lists unprocessed events rather than counting them; past this a backlog is simply large."""


class QueueDepths(msgspec.Struct, frozen=True, kw_only=True):
    outbox: int
    inbox_backlog: int
    inbox_quarantined: int


class ProbeStore:
    """The readiness probe's cheap query; any failure is the answer, since the store may fail in any way."""

    def __init__(self, *, outbox: Outbox) -> None:
        self._outbox = outbox

    async def __call__(self) -> str | None:
        """None when the store answered, else what went wrong."""
        try:
            await self._outbox.depth()
        except Exception as error:  # noqa: BLE001 - a probe reports every failure rather than crash on it
            return f"the store did not answer: {type(error).__name__}: {error}"
        return None


class MeasureQueues:
    """Read at scrape time, and by the readiness probe as the cheap query that proves the store answers."""

    def __init__(self, *, outbox: Outbox, inbox: Inbox) -> None:
        self._outbox = outbox
        self._inbox = inbox

    async def __call__(self, inbox_cap: int = INBOX_BACKLOG_CAP) -> QueueDepths:
        """The inbox backlog is counted up to `inbox_cap`: a probe only needs to know the store answered."""
        backlog = await self._inbox.unprocessed(inbox_cap)
        quarantined = await self._inbox.quarantined(inbox_cap)
        return QueueDepths(
            outbox=await self._outbox.depth(), inbox_backlog=len(backlog), inbox_quarantined=len(quarantined)
        )
