"""Conversations keyed by (business number, customer), listed by last activity through an index."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime

import msgspec

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import decode_cursor, encode_cursor, to_micros
from adapters.sqlite.search_index import index_conversation
from application.records import Page
from domain.analytics import CLOSING_SOON
from domain.conversations import Conversation, join_threads
from domain.ids import CustomerId, PhoneNumberId

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Conversation).decode

_AFTER_EVERYTHING = (2**63 - 1, "")
_LIST = (
    "SELECT body FROM conversations WHERE (last_activity_at, customer_id) < (?, ?) "
    "ORDER BY last_activity_at DESC, customer_id DESC LIMIT ?"
)
_LIST_OF_NUMBER = (
    "SELECT body FROM conversations WHERE phone_number_id = ? AND (last_activity_at, customer_id) < (?, ?) "
    "ORDER BY last_activity_at DESC, customer_id DESC LIMIT ?"
)

_CLOSING_UNANSWERED = (
    "SELECT body FROM conversations WHERE unanswered_window_closes_at > :now AND unanswered_window_closes_at <= :soon "
    "AND (:number IS NULL OR phone_number_id = :number) ORDER BY unanswered_window_closes_at, phone_number_id, customer_id"
)


class SqliteConversationStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, phone_number_id: PhoneNumberId, customer_id: CustomerId) -> Conversation | None:
        return await self._database.read(lambda c: find_conversation(c, phone_number_id, customer_id))

    async def update(
        self,
        phone_number_id: PhoneNumberId,
        customer_id: CustomerId,
        change: Callable[[Conversation | None], Conversation],
    ) -> Conversation:
        """Read, change in Python and write on the single writer thread, so concurrent updates never interleave."""

        return await self._database.write(lambda c: change_conversation(c, phone_number_id, customer_id, change))

    async def list(
        self, *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[Conversation]:
        before = _AFTER_EVERYTHING if cursor is None else decode_cursor(cursor)
        wanted = max(limit, 0)
        parameters: tuple[object, ...]
        if phone_number_id is None:
            query, parameters = _LIST, (*before, wanted + 1)
        else:
            query, parameters = _LIST_OF_NUMBER, (phone_number_id, *before, wanted + 1)
        rows = await self._database.read(lambda c: c.execute(query, parameters).fetchall())
        items = [_decode(body) for (body,) in rows[:wanted]]
        last = items[-1] if len(rows) > len(items) and items else None
        next_cursor = None if last is None else encode_cursor(to_micros(last.last_activity_at), last.customer_id)
        return Page(items=items, next_cursor=next_cursor)

    async def closing_unanswered(
        self, *, phone_number_id: PhoneNumberId | None, now: datetime
    ) -> Sequence[Conversation]:
        parameters = {"now": to_micros(now), "soon": to_micros(now + CLOSING_SOON), "number": phone_number_id}
        rows = await self._database.read(lambda c: c.execute(_CLOSING_UNANSWERED, parameters).fetchall())
        return [_decode(body) for (body,) in rows]


def _unanswered_window_closes_at(conversation: Conversation) -> int | None:
    closes_at = conversation.window.closes_at
    return None if closes_at is None or conversation.awaiting_reply_since is None else to_micros(closes_at)


def move_conversations(connection: sqlite3.Connection, absorbed: CustomerId, survivor: CustomerId) -> None:
    """Two customers turned out to be one person: each number's threads with them become one."""
    rows = connection.execute(
        "SELECT phone_number_id, body FROM conversations WHERE customer_id = ?", (absorbed,)
    ).fetchall()
    for phone_number_id, body in rows:
        joined = join_threads(find_conversation(connection, phone_number_id, survivor), _decode(body), survivor)
        connection.execute(
            "DELETE FROM conversations WHERE phone_number_id = ? AND customer_id = ?", (phone_number_id, absorbed)
        )
        connection.execute(
            "INSERT OR REPLACE INTO conversations (phone_number_id, customer_id, last_activity_at, body) "
            "VALUES (?, ?, ?, ?)",
            (phone_number_id, survivor, to_micros(joined.last_activity_at), _encode(joined)),
        )
        index_conversation(connection, joined)


def change_conversation(
    connection: sqlite3.Connection,
    phone_number_id: PhoneNumberId,
    customer_id: CustomerId,
    change: Callable[[Conversation | None], Conversation],
) -> Conversation:
    """Read, change in Python and write; on the single writer, so concurrent updates never interleave."""
    changed = change(find_conversation(connection, phone_number_id, customer_id))
    connection.execute(
        "INSERT OR REPLACE INTO conversations "
        "(phone_number_id, customer_id, last_activity_at, unanswered_window_closes_at, body) "
        "VALUES (?, ?, ?, ?, ?)",
        (phone_number_id, customer_id, to_micros(changed.last_activity_at),
         _unanswered_window_closes_at(changed), _encode(changed)),
    )
    index_conversation(connection, changed)
    return changed


def find_conversation(connection: sqlite3.Connection, phone_number_id: PhoneNumberId, customer_id: CustomerId) -> Conversation | None:
    found = connection.execute(
        "SELECT body FROM conversations WHERE phone_number_id = ? AND customer_id = ?", (phone_number_id, customer_id)
    ).fetchone()
    return None if found is None else _decode(found[0])
