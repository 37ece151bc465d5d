"""Idempotency-Key bindings: one document per key, checked and bound in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import (
    PAYLOAD,
    TRANSACTION_ATTEMPTS,
    delete_found,
    document_key,
    from_payload,
    to_payload,
    utc,
)
from application.records import CachedResult
from domain.ids import MessageId


class FirestoreIdempotencyKeys:
    """`expires_at` is stored as a timestamp so a Firestore TTL policy can delete expired bindings."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._keys = client.collection("idempotency_keys")

    async def claim(self, key: str, message_id: MessageId, expires_at: datetime, now: datetime) -> CachedResult:
        """Two racing POSTs with one key both read it; the later commit aborts, reruns, and finds the binding."""
        reference = self._keys.document(document_key(key))

        @async_transactional
        async def bind(transaction: Any) -> CachedResult:
            snapshot = await reference.get(transaction=transaction)
            if snapshot.exists:
                bound = from_payload(snapshot.to_dict(), CachedResult)
                if now < bound.expires_at:
                    return bound
            fresh = CachedResult(message_id=message_id, expires_at=expires_at)
            transaction.set(reference, {PAYLOAD: to_payload(fresh), "expires_at": utc(expires_at)})
            return fresh

        result: CachedResult = await bind(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return result

    async def prune_expired(self, now: datetime, limit: int) -> int:
        query = self._keys.where(filter=FieldFilter("expires_at", "<=", utc(now))).limit(max(limit, 0))
        return await delete_found(self._client, query)
