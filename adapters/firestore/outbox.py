"""Outbox: one document per queued message, claimed under a lease inside a transaction.

`available_at` is when an entry may next be claimed: its due time, or the end of its lease once
claimed. A claim reads the available entries and moves their `available_at` to the lease end in one
transaction, so a second dispatcher's overlapping claim aborts, reruns, and no longer sees them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import PAYLOAD, TRANSACTION_ATTEMPTS, from_payload, to_payload, utc
from application.records import OutboxEntry
from domain.ids import MessageId


class FirestoreOutbox:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._entries = client.collection("outbox")

    async def enqueue(self, entry: OutboxEntry) -> None:
        await self._entries.document(entry.message_id).set(_fields(entry))

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        """Earliest available first, then by due time, as the other stores order them."""
        query = self._entries.where(filter=FieldFilter("available_at", "<=", utc(now)))
        query = query.order_by("available_at").limit(limit)

        @async_transactional
        async def lease(transaction: Any) -> list[OutboxEntry]:
            snapshots = [s async for s in await transaction.get(query)]
            for snapshot in snapshots:
                transaction.update(snapshot.reference, {"available_at": utc(lease_until)})
            entries = [from_payload(s.to_dict(), OutboxEntry) for s in snapshots]
            return sorted(entries, key=lambda e: (e.due_at, e.message_id))

        claimed: list[OutboxEntry] = await lease(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return claimed

    async def reschedule(self, message_id: MessageId, due_at: datetime, attempt: int) -> None:
        """Ends the lease too: the entry is next available at its new due time."""
        reference = self._entries.document(message_id)

        @async_transactional
        async def move(transaction: Any) -> None:
            snapshot = await reference.get(transaction=transaction)
            if snapshot.exists:
                entry = from_payload(snapshot.to_dict(), OutboxEntry)
                moved = msgspec.structs.replace(entry, due_at=due_at, attempt=attempt)
                transaction.set(reference, _fields(moved))

        await move(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))

    async def complete(self, message_id: MessageId) -> None:
        await self._entries.document(message_id).delete()

    async def depth(self) -> int:
        """Every entry counts, leased or not: it is all work still to finish."""
        result = await self._entries.count(alias="depth").get()
        return int(result[0][0].value)


def _fields(entry: OutboxEntry) -> dict[str, Any]:
    return {PAYLOAD: to_payload(entry), "available_at": utc(entry.due_at)}
