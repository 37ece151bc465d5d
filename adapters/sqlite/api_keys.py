"""API keys by id and by the hash of their secret; the secret itself is never stored."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import msgspec

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import to_micros
from application.records import ApiKey

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(ApiKey).decode


class SqliteApiKeyStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, key: ApiKey) -> None:
        await self._database.write(lambda c: _keep(c, key))

    async def find_by_hash(self, secret_hash: str) -> ApiKey | None:
        """Revoked keys are found too: refusing them, with a clear reason, is the caller's rule."""
        found = await self._database.read(
            lambda c: c.execute("SELECT body FROM api_keys WHERE secret_hash = ?", (secret_hash,)).fetchone()
        )
        return None if found is None else _decode(found[0])

    async def list(self) -> list[ApiKey]:
        rows = await self._database.read(
            lambda c: c.execute("SELECT body FROM api_keys ORDER BY created_at, id").fetchall()
        )
        return [_decode(body) for (body,) in rows]

    async def revoke(self, key_id: str, at: datetime) -> bool:
        """False when unknown or already revoked; the first revocation time is kept."""

        def revoke_once(connection: sqlite3.Connection) -> bool:
            found = connection.execute("SELECT body FROM api_keys WHERE id = ?", (key_id,)).fetchone()
            key = None if found is None else _decode(found[0])
            if key is None or key.revoked_at is not None:
                return False
            _keep(connection, msgspec.structs.replace(key, revoked_at=at))
            return True

        return await self._database.write(revoke_once)


def _keep(connection: sqlite3.Connection, key: ApiKey) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO api_keys (id, secret_hash, created_at, body) VALUES (?, ?, ?, ?)",
        (key.id, key.secret_hash, to_micros(key.created_at), _encode(key)),
    )
