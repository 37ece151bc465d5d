"""Outbox: one document per queued message, claimed under a lease inside a transaction.

`available_at` is when an entry may next be claimed: its due time, or the end of its lease once
claimed. A claim queries the available entries, then re-reads them in a transaction and moves their
`available_at` to the lease end; a second dispatcher's overlapping claim aborts, reruns, and finds
them leased. Locking only the candidates (not the query's range) keeps racing dispatchers cheap.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import PAYLOAD, TRANSACTION_ATTEMPTS, from_payload, to_payload, utc
from adapters.firestore.sending_leases import lease_reference, read_record
from application.records import OutboxEntry, SendingLease
from application.sending_leases import holds
from domain.ids import MessageId


class FirestoreOutbox:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._entries = client.collection("outbox")

    async def enqueue(self, entry: OutboxEntry) -> None:
        await self._entries.document(entry.message_id).set(_fields(entry))

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        """Earliest available first, then by due time; lost races are retried while entries are available."""
        while candidates := await self._available(now, limit):
            if claimed := await self._lease(candidates, now, lease_until):
                return claimed
        return []

    async def _available(self, now: datetime, limit: int) -> list[Any]:
        query = self._entries.where(filter=FieldFilter("available_at", "<=", utc(now)))
        return [s.reference async for s in query.order_by("available_at").limit(limit).stream()]

    async def _lease(self, candidates: list[Any], now: datetime, lease_until: datetime) -> list[OutboxEntry]:
        """Only the candidates are locked; each is re-read and leased only if no one leased it meanwhile."""

        @async_transactional
        async def lease(transaction: Any) -> list[OutboxEntry]:
            fresh = [s async for s in self._client.get_all(candidates, transaction=transaction) if s.exists]
            available = [s for s in fresh if s.get("available_at") <= now]
            for snapshot in available:
                transaction.update(snapshot.reference, {"available_at": utc(lease_until)})
            entries = [from_payload(s.to_dict(), OutboxEntry) for s in available]
            return sorted(entries, key=lambda e: (e.due_at, e.message_id))

        claimed: list[OutboxEntry] = await lease(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return claimed

    async def calling(self, message_id: MessageId, at: datetime, lease: SendingLease) -> bool:
        """Only the payload changes: the entry stays leased (`available_at`) while its call is under way.

        The number's sending lease is read in the same transaction: a holder whose token is no longer
        current writes nothing and is told so, before it calls Meta.
        """
        reference = self._entries.document(message_id)
        fence = lease_reference(self._client, lease.phone_number_id)

        @async_transactional
        async def mark(transaction: Any) -> bool:
            snapshot = await reference.get(transaction=transaction)
            if not holds(await read_record(fence, transaction), lease, at):
                return False
            if snapshot.exists:
                entry = from_payload(snapshot.to_dict(), OutboxEntry)
                transaction.update(reference, {PAYLOAD: to_payload(msgspec.structs.replace(entry, called_at=at))})
            return True

        marked: bool = await mark(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return marked

    async def reschedule(self, message_id: MessageId, due_at: datetime, attempt: int) -> None:
        """Ends the lease too: the entry is next available at its new due time."""
        reference = self._entries.document(message_id)

        @async_transactional
        async def move(transaction: Any) -> None:
            snapshot = await reference.get(transaction=transaction)
            if snapshot.exists:
                entry = from_payload(snapshot.to_dict(), OutboxEntry)
                moved = msgspec.structs.replace(entry, due_at=due_at, attempt=attempt, called_at=None)
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
