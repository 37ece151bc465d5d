"""Media records by media id."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import msgspec

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import to_micros
from application.records import MediaRecord

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(MediaRecord).decode


class SqliteMediaStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def save(self, record: MediaRecord) -> None:
        await self._database.write(lambda c: save_media(c, record))

    async def get(self, media_id: str) -> MediaRecord | None:
        found = await self._database.read(
            lambda c: c.execute("SELECT body FROM media WHERE id = ?", (media_id,)).fetchone()
        )
        return None if found is None else _decode(found[0])

    async def due_downloads(self, now: datetime, limit: int) -> list[MediaRecord]:
        parameters = (to_micros(now), limit)
        rows = await self._database.read(
            lambda c: c.execute(
                "SELECT body FROM media WHERE download_due_at <= ? ORDER BY download_due_at, id LIMIT ?", parameters
            ).fetchall()
        )
        return [_decode(body) for (body,) in rows]


def save_media(connection: sqlite3.Connection, record: MediaRecord) -> None:
    due = to_micros(record.download.due_at) if record.download else None
    connection.execute(
        "INSERT OR REPLACE INTO media (id, body, download_due_at) VALUES (?, ?, ?)", (record.id, _encode(record), due)
    )


def media_exists(connection: sqlite3.Connection, media_id: str) -> bool:
    return connection.execute("SELECT 1 FROM media WHERE id = ?", (media_id,)).fetchone() is not None
