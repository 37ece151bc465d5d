"""Inbox: raw webhook POSTs under random ids, with a `processed` flag so unapplied ones can be replayed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import TRANSACTION_ATTEMPTS, delete_found, utc
from application.records import InboxEvent


class FirestoreInbox:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._events = client.collection("inbox")

    async def append(self, untrusted_body: bytes, received_at: datetime) -> str:
        """Random ids, not a counter: monotonically growing document ids would funnel writes to one tablet."""
        event_id = f"evt_{uuid.uuid4().hex}"
        await self._events.document(event_id).create(
            {"body": untrusted_body, "received_at": utc(received_at), "processed": False}
        )
        return event_id

    async def unprocessed(self, limit: int) -> list[InboxEvent]:
        """Oldest first; events received at the same instant come in id order (Firestore's own tie-break)."""
        query = (
            self._events.where(filter=FieldFilter("processed", "==", False))
            .order_by("received_at")
            .limit(limit)
        )
        return [
            InboxEvent(id=s.id, untrusted_body=s.get("body"), received_at=s.get("received_at"))
            async for s in query.stream()
        ]

    async def mark_processed(self, event_id: str, at: datetime) -> None:
        """Marking twice keeps the first time: a replayed event was processed when it first succeeded."""
        reference = self._events.document(event_id)

        @async_transactional
        async def mark(transaction: Any) -> None:
            snapshot = await reference.get(transaction=transaction)
            if snapshot.exists and not snapshot.get("processed"):
                transaction.update(reference, {"processed": True, "processed_at": utc(at)})

        await mark(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))

    async def prune_processed(self, processed_before: datetime, limit: int) -> int:
        query = (
            self._events.where(filter=FieldFilter("processed", "==", True))
            .where(filter=FieldFilter("processed_at", "<", utc(processed_before)))
            .order_by("processed_at")
            .limit(max(limit, 0))
        )
        return await delete_found(self._client, query)
