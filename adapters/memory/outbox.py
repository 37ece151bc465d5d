"""Queued sends with leases: a claimed entry is hidden until its lease ends, so a crashed worker's work returns."""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.memory.sending_leases import InMemorySendingLeases
from application.records import OutboxEntry, SendingLease
from domain.ids import MessageId


class InMemoryOutbox:
    """Claiming reads and leases without awaiting in between, so two concurrent claims never share an entry."""

    def __init__(self, leases: InMemorySendingLeases) -> None:
        self._leases = leases
        self._entries: dict[MessageId, OutboxEntry] = {}
        self._leased_until: dict[MessageId, datetime] = {}

    async def enqueue(self, entry: OutboxEntry) -> None:
        self._entries[entry.message_id] = entry
        self._leased_until.pop(entry.message_id, None)

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        due = [e for e in self._entries.values() if e.due_at <= now and not self._leased(e.message_id, now)]
        claimed = sorted(due, key=lambda e: (e.due_at, e.message_id))[:limit]
        for entry in claimed:
            self._leased_until[entry.message_id] = lease_until
        return claimed

    async def calling(self, message_id: MessageId, at: datetime, lease: SendingLease) -> bool:
        if not self._leases.holds(lease, at):
            return False
        entry = self._entries.get(message_id)
        if entry is not None:
            self._entries[message_id] = msgspec.structs.replace(entry, called_at=at)
        return True

    async def reschedule(self, message_id: MessageId, due_at: datetime, attempt: int) -> None:
        entry = self._entries.get(message_id)
        if entry is not None:
            self._entries[message_id] = msgspec.structs.replace(entry, due_at=due_at, attempt=attempt, called_at=None)
            self._leased_until.pop(message_id, None)

    async def complete(self, message_id: MessageId) -> None:
        self._entries.pop(message_id, None)
        self._leased_until.pop(message_id, None)

    async def depth(self) -> int:
        """Every entry counts, leased or not: it is all work still to finish."""
        return len(self._entries)

    def _leased(self, message_id: MessageId, now: datetime) -> bool:
        lease = self._leased_until.get(message_id)
        return lease is not None and now < lease
