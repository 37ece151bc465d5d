"""Messages in one table: the whole message as msgpack, and beside it the columns that queries filter on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Literal

import msgspec

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import decode_cursor, encode_cursor, from_micros, to_micros
from adapters.sqlite.message_analytics import SqliteMessageAnalytics
from adapters.sqlite.parked_statuses import park, prune_parked, take_parked
from adapters.sqlite.search_index import index_message
from application.records import Page, ParkedStatus
from domain.content import Template
from domain.ids import CustomerId, MessageId, PhoneNumberId, Wamid
from domain.messages import Message

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Message).decode

_COLUMNS = (
    "id, wamid, direction, phone_number_id, customer_id, created_at, status, business_initiated, "
    "response_seconds, pricing_category, pricing_type, failure_code, failure_title, template_name, "
    "template_language, body"
)
_INSERT = f"INSERT INTO messages ({_COLUMNS}) VALUES ({', '.join('?' * 16)}) ON CONFLICT DO NOTHING"
_REWRITE = f"UPDATE messages SET ({_COLUMNS}) = ({', '.join('?' * 16)}) WHERE id = ?"
_HISTORY = (
    "SELECT body FROM messages WHERE phone_number_id = ? AND customer_id = ? AND (created_at, id) < (?, ?) "
    "ORDER BY created_at DESC, id DESC LIMIT ?"
)
_AFTER_EVERYTHING = (2**63 - 1, "")


class SqliteMessageStore:
    def __init__(self, database: Database) -> None:
        self._database = database
        self.analytics = SqliteMessageAnalytics(database)

    async def add(self, message: Message) -> bool:
        return await self._database.write(lambda c: insert_message(c, message))

    async def add_many(self, messages: Iterable[Message]) -> int:
        """Bulk import in one transaction (backfills, benchmarks); messages already stored are skipped."""
        rows = [(m, _row(m)) for m in messages]
        return await self._database.write(lambda c: sum(_insert(c, m, row) for m, row in rows))

    async def get(self, message_id: MessageId) -> Message | None:
        return await self._database.read(lambda c: _one(c, "SELECT body FROM messages WHERE id = ?", message_id))

    async def find_by_wamid(self, wamid: Wamid) -> Message | None:
        return await self._database.read(lambda c: _one(c, "SELECT body FROM messages WHERE wamid = ?", wamid))

    async def update(self, message_id: MessageId, change: Callable[[Message], Message]) -> Message | None:
        """Read, change in Python (the rule stays in the domain) and write, all on the single writer thread."""

        def read_change_write(connection: sqlite3.Connection) -> Message | None:
            current = find_message(connection, "id", message_id)
            if current is None:
                return None
            changed = change(current)
            rewrite_message(connection, changed)
            return changed

        return await self._database.write(read_change_write)

    async def history(
        self, phone_number_id: PhoneNumberId, customer_id: CustomerId, *, cursor: str | None, limit: int
    ) -> Page[Message]:
        before = _AFTER_EVERYTHING if cursor is None else decode_cursor(cursor)
        parameters = (phone_number_id, customer_id, *before, max(limit, 0) + 1)
        rows = await self._database.read(lambda c: c.execute(_HISTORY, parameters).fetchall())
        items = [_decode(body) for (body,) in rows[: max(limit, 0)]]
        more = len(rows) > len(items) and bool(items)
        last = items[-1] if more else None
        next_cursor = None if last is None else encode_cursor(to_micros(last.created_at), last.id)
        return Page(items=items, next_cursor=next_cursor)

    async def park_status(self, wamid: Wamid, parked: ParkedStatus) -> None:
        await self._database.write(lambda c: park(c, wamid, parked))

    async def take_parked_statuses(self, wamid: Wamid) -> list[ParkedStatus]:
        return await self._database.write(lambda c: take_parked(c, wamid))

    async def prune_parked_statuses(self, reported_before: datetime, limit: int) -> int:
        return await self._database.write(lambda c: prune_parked(c, reported_before, limit))

    async def business_initiated_recipients(self, since: datetime) -> dict[CustomerId, datetime]:
        query = (
            "SELECT customer_id, max(created_at) FROM messages "
            "WHERE business_initiated = 1 AND direction = 'outbound' AND created_at >= ? GROUP BY customer_id"
        )
        rows = await self._database.read(lambda c: c.execute(query, (to_micros(since),)).fetchall())
        return {CustomerId(customer_id): from_micros(latest) for customer_id, latest in rows}


def move_messages(connection: sqlite3.Connection, absorbed: CustomerId, survivor: CustomerId) -> None:
    """Two customers turned out to be one person: the absorbed one's messages join the survivor's thread."""
    rows = connection.execute("SELECT body FROM messages WHERE customer_id = ?", (absorbed,)).fetchall()
    moved = [msgspec.structs.replace(_decode(body), customer_id=survivor) for (body,) in rows]
    connection.executemany(_REWRITE, [(*_row(m), m.id) for m in moved])


def insert_message(connection: sqlite3.Connection, message: Message) -> bool:
    """False (and no change) when its id or wamid is already stored."""
    return _insert(connection, message, _row(message))


def find_message(connection: sqlite3.Connection, column: Literal["id", "wamid"], key: str) -> Message | None:
    return _one(connection, f"SELECT body FROM messages WHERE {column} = ?", key)


def rewrite_message(connection: sqlite3.Connection, message: Message) -> None:
    connection.execute(_REWRITE, (*_row(message), message.id))


def _one(connection: sqlite3.Connection, query: str, key: str) -> Message | None:
    found = connection.execute(query, (key,)).fetchone()
    return None if found is None else _decode(found[0])


def _insert(connection: sqlite3.Connection, message: Message, row: tuple[object, ...]) -> bool:
    """The row and its text in the search index, together; False when the message was stored already."""
    cursor = connection.execute(_INSERT, row)
    if cursor.rowcount != 1:
        return False
    assert cursor.lastrowid is not None
    index_message(connection, cursor.lastrowid, message)
    return True


def _row(m: Message) -> tuple[object, ...]:
    failure, pricing = m.status.failure, m.pricing
    template = m.content if isinstance(m.content, Template) else None
    return (
        m.id,
        m.wamid,
        str(m.direction),
        m.phone_number_id,
        m.customer_id,
        to_micros(m.created_at),
        str(m.status.status),
        int(m.business_initiated),
        m.response_seconds,
        None if pricing is None else pricing.category,
        None if pricing is None else pricing.type,
        None if failure is None else failure.code,
        None if failure is None else failure.title,
        None if template is None else template.name,
        None if template is None else template.language.code,
        _encode(m),
    )
