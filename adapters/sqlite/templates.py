"""Message templates keyed by (name, language), as Meta identifies them, and findable by Meta's id."""

from __future__ import annotations

import sqlite3

import msgspec

from adapters.sqlite.database import Database
from domain.templates import MessageTemplate

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(MessageTemplate).decode
_BY_NAME = "SELECT body FROM templates WHERE name = ? AND language = ?"
_BY_ID = "SELECT body FROM templates WHERE template_id = ? ORDER BY name, language LIMIT 1"


class SqliteTemplateStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def save(self, template: MessageTemplate) -> None:
        await self._database.write(lambda c: save_template(c, template))

    async def get(self, name: str, language: str) -> MessageTemplate | None:
        return await self._database.read(lambda c: _first(c, _BY_NAME, (name, language)))

    async def find_by_id(self, template_id: str) -> MessageTemplate | None:
        return await self._database.read(lambda c: _first(c, _BY_ID, (template_id,)))

    async def list(self) -> list[MessageTemplate]:
        """Sorted by name then language, so listings are stable."""
        rows = await self._database.read(
            lambda c: c.execute("SELECT body FROM templates ORDER BY name, language").fetchall()
        )
        return [_decode(body) for (body,) in rows]

    async def delete(self, name: str, language: str | None) -> int:
        query = "DELETE FROM templates WHERE name = ? AND (? IS NULL OR language = ?)"
        return await self._database.write(lambda c: c.execute(query, (name, language, language)).rowcount)


def _first(connection: sqlite3.Connection, query: str, parameters: tuple[str, ...]) -> MessageTemplate | None:
    found = connection.execute(query, parameters).fetchone()
    return None if found is None else _decode(found[0])


def save_template(connection: sqlite3.Connection, template: MessageTemplate) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO templates (name, language, template_id, body) VALUES (?, ?, ?, ?)",
        (template.name, template.language, template.id, _encode(template)),
    )


def find_template(connection: sqlite3.Connection, name: str, language: str, template_id: str) -> MessageTemplate | None:
    """By name and language, as Meta identifies a template, else by Meta's id."""
    return _first(connection, _BY_NAME, (name, language)) or _first(connection, _BY_ID, (template_id,))
