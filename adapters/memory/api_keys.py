"""API keys kept in a dict by key id; only hashes are held, as in every store."""

from __future__ import annotations

from datetime import datetime

import msgspec

from application.records import ApiKey


class InMemoryApiKeyStore:
    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    async def add(self, key: ApiKey) -> None:
        self._keys[key.id] = key

    async def find_by_hash(self, secret_hash: str) -> ApiKey | None:
        """Revoked keys are found too: refusing them, with a clear reason, is the caller's rule."""
        return next((k for k in self._keys.values() if k.secret_hash == secret_hash), None)

    async def list(self) -> list[ApiKey]:
        return sorted(self._keys.values(), key=lambda k: (k.created_at, k.id))

    async def revoke(self, key_id: str, at: datetime) -> bool:
        """False when unknown or already revoked; the first revocation time is kept."""
        key = self._keys.get(key_id)
        if key is None or key.revoked_at is not None:
            return False
        self._keys[key_id] = msgspec.structs.replace(key, revoked_at=at)
        return True
