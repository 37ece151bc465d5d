"""Quarantined webhook POSTs: what operators list, and apply again once the cause is fixed.

A POST is quarantined after its application failed too many times (ProcessInboxEvent); its raw
body stays in the inbox with the whole error, so nothing Meta delivered is ever lost.
"""

from __future__ import annotations

import msgspec

from application.ports import Inbox
from application.process_inbox_event import InboxReport, ProcessInboxEvent
from application.records import QuarantinedPost
from domain.errors import NotFound


class Replayed(msgspec.Struct, frozen=True, kw_only=True):
    """What applying a quarantined POST again did: its events by kind, or the error it failed with again."""

    inbox_event_id: str
    applied: dict[str, int]
    error: str | None = None


class ListQuarantined:
    def __init__(self, *, inbox: Inbox) -> None:
        self._inbox = inbox

    async def __call__(self, limit: int = 1000) -> list[QuarantinedPost]:
        return await self._inbox.quarantined(limit)


class ReplayQuarantined:
    """Applies one stored POST now, as the inbox worker would; applying is idempotent, so any POST may be replayed."""

    def __init__(self, *, inbox: Inbox, process: ProcessInboxEvent) -> None:
        self._inbox = inbox
        self._process = process

    async def __call__(self, inbox_event_id: str) -> Replayed:
        event = await self._inbox.get(inbox_event_id)
        if event is None:
            raise NotFound(f"no webhook POST {inbox_event_id!r} in the inbox; `wahub inbox failed` lists them")
        report = InboxReport()
        await self._process(event, report)
        return Replayed(inbox_event_id=event.id, applied=report.events, error=report.failed.get(event.id))
