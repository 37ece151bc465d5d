"""API keys: one document per key id, holding only the hash of the secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import PAYLOAD, TRANSACTION_ATTEMPTS, from_payload, to_payload
from application.records import ApiKey


class FirestoreApiKeyStore:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._keys = client.collection("api_keys")

    async def add(self, key: ApiKey) -> None:
        await self._keys.document(key.id).set(_fields(key))

    async def find_by_hash(self, secret_hash: str) -> ApiKey | None:
        """Revoked keys are found too: refusing them, with a clear reason, is the caller's rule."""
        query = self._keys.where(filter=FieldFilter("secret_hash", "==", secret_hash)).limit(1)
        found = [from_payload(s.to_dict(), ApiKey) async for s in query.stream()]
        return found[0] if found else None

    async def list(self) -> list[ApiKey]:
        """An installation holds a handful of keys, so they are sorted here rather than by an index."""
        found = [from_payload(s.to_dict(), ApiKey) async for s in self._keys.stream()]
        return sorted(found, key=lambda k: (k.created_at, k.id))

    async def revoke(self, key_id: str, at: datetime) -> bool:
        """False when unknown or already revoked; the first revocation time is kept."""
        reference = self._keys.document(key_id)

        @async_transactional
        async def revoke(transaction: Any) -> bool:
            snapshot = await reference.get(transaction=transaction)
            if not snapshot.exists:
                return False
            key = from_payload(snapshot.to_dict(), ApiKey)
            if key.revoked_at is not None:
                return False
            transaction.set(reference, _fields(msgspec.structs.replace(key, revoked_at=at)))
            return True

        revoked: bool = await revoke(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return revoked


def _fields(key: ApiKey) -> dict[str, Any]:
    return {PAYLOAD: to_payload(key), "secret_hash": key.secret_hash}
