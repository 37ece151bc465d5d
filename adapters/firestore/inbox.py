"""Inbox: raw webhook POSTs under random ids, with a `processed` flag so unapplied ones can be replayed.

Pending POSTs are read in `due_at` order: the time received, moved on to the retry time when an
application fails, so a POST backing off never stands before the ones that can be applied now.
A quarantined POST leaves the pending query (`processed` is set, with `quarantined`) until replayed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import TRANSACTION_ATTEMPTS, delete_found, utc
from application.records import InboxEvent, InboxFailure, QuarantinedPost


class FirestoreInbox:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._events = client.collection("inbox")

    async def append(self, untrusted_body: bytes, received_at: datetime) -> str:
        """Random ids, not a counter: monotonically growing document ids would funnel writes to one tablet."""
        event_id = f"evt_{uuid.uuid4().hex}"
        at = utc(received_at)
        await self._events.document(event_id).create(
            {"body": untrusted_body, "received_at": at, "due_at": at, "processed": False}
        )
        return event_id

    async def unprocessed(self, limit: int, due_by: datetime | None = None) -> list[InboxEvent]:
        """The first `limit` by due time, returned oldest first; ties in id order (Firestore's own tie-break)."""
        query = self._events.where(filter=FieldFilter("processed", "==", False))
        if due_by is not None:
            query = query.where(filter=FieldFilter("due_at", "<=", utc(due_by)))
        events = [_event(s) async for s in query.order_by("due_at").limit(limit).stream()]
        return sorted(events, key=lambda e: (e.received_at, e.id))

    async def get(self, event_id: str) -> InboxEvent | None:
        snapshot = await self._events.document(event_id).get()
        return _event(snapshot) if snapshot.exists else None

    async def mark_processed(self, event_id: str, at: datetime) -> None:
        """Marking twice keeps the first time; marking a quarantined POST (replayed after a fix) ends its quarantine."""
        reference = self._events.document(event_id)

        @async_transactional
        async def mark(transaction: Any) -> None:
            snapshot = await reference.get(transaction=transaction)
            if snapshot.exists and (not snapshot.get("processed") or _field(snapshot, "quarantined")):
                transaction.update(reference, {"processed": True, "processed_at": utc(at), "quarantined": False})

        await mark(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))

    async def failed(self, event_id: str, failure: InboxFailure) -> None:
        reference = self._events.document(event_id)
        fields: dict[str, Any] = {"attempts": failure.attempts, "error": failure.error}
        if failure.retry_at is None:
            fields |= {"processed": True, "quarantined": True, "quarantined_at": utc(failure.at)}
        else:
            fields["due_at"] = utc(failure.retry_at)

        @async_transactional
        async def record(transaction: Any) -> None:
            snapshot = await reference.get(transaction=transaction)
            if snapshot.exists and not snapshot.get("processed"):
                transaction.update(reference, fields)

        await record(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))

    async def quarantined(self, limit: int) -> list[QuarantinedPost]:
        query = self._events.where(filter=FieldFilter("quarantined", "==", True))
        posts = [
            QuarantinedPost(
                id=s.id,
                received_at=s.get("received_at"),
                attempts=s.get("attempts"),
                error=s.get("error"),
                quarantined_at=s.get("quarantined_at"),
                size=len(s.get("body")),
            )
            async for s in query.stream()
        ]
        return sorted(posts, key=lambda p: (p.quarantined_at, p.id))[:limit]


    async def prune_processed(self, processed_before: datetime, limit: int) -> int:
        query = (
            self._events.where(filter=FieldFilter("processed", "==", True))
            .where(filter=FieldFilter("processed_at", "<", utc(processed_before)))
            .order_by("processed_at")
            .limit(max(limit, 0))
        )
        return await delete_found(self._client, query)


def _event(snapshot: Any) -> InboxEvent:
    return InboxEvent(
        id=snapshot.id,
        untrusted_body=snapshot.get("body"),
        received_at=snapshot.get("received_at"),
        attempts=_field(snapshot, "attempts") or 0,
    )


def _field(snapshot: Any, name: str) -> Any:
    """Fields added after a POST was stored are missing from it, which the client reports as a KeyError."""
    data = snapshot.to_dict() or {}
    return data.get(name)
