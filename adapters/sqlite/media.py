"""Media records by media id."""

from __future__ import annotations

import msgspec

from adapters.sqlite.database import Database
from application.records import MediaRecord

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(MediaRecord).decode


class SqliteMediaStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def save(self, record: MediaRecord) -> None:
        row = (record.id, _encode(record))
        await self._database.write(lambda c: c.execute("INSERT OR REPLACE INTO media (id, body) VALUES (?, ?)", row))

    async def get(self, media_id: str) -> MediaRecord | None:
        found = await self._database.read(
            lambda c: c.execute("SELECT body FROM media WHERE id = ?", (media_id,)).fetchone()
        )
        return None if found is None else _decode(found[0])
