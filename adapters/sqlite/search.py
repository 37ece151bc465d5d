"""Search over SQLite: the FTS5 indexes of search_index.py, then one page of conversations in activity order.

Hits are grouped by conversation straight from the message index's rowids, ordered and cut to a page
on `searchable_conversations`' small rows, and only the page's conversations and matching messages
are read and decoded.
"""

from __future__ import annotations

import sqlite3

from adapters.sqlite.database import Database
from adapters.sqlite.encoding import decode_cursor, encode_cursor, to_micros
from adapters.sqlite.search_index import MESSAGE_BITS, decode_conversation, decode_message
from application.records import ConversationMatch, Page
from domain.ids import PhoneNumberId
from domain.search import message_text, snippet

_AFTER_EVERYTHING = (2**63 - 1, "")
_SEARCH = f"""
WITH found (conversation, latest) AS (
    SELECT rowid >> {MESSAGE_BITS}, max(rowid & {2**MESSAGE_BITS - 1}) FROM message_search
    WHERE message_search MATCH :match GROUP BY 1
    UNION ALL
    SELECT rowid, NULL FROM customer_search WHERE customer_search MATCH :match
),
page (id, phone_number_id, customer_id, last_activity_at, latest) AS (
    SELECT s.id, s.phone_number_id, s.customer_id, s.last_activity_at, max(found.latest)
    FROM found JOIN searchable_conversations s ON s.id = found.conversation
    WHERE (s.last_activity_at, s.customer_id) < (:at, :key) AND (:number IS NULL OR s.phone_number_id = :number)
    GROUP BY s.id
    ORDER BY s.last_activity_at DESC, s.customer_id DESC
    LIMIT :limit
)
SELECT c.body, page.latest
FROM page JOIN conversations c ON c.phone_number_id = page.phone_number_id AND c.customer_id = page.customer_id
ORDER BY page.last_activity_at DESC, page.customer_id DESC
"""


class SqliteConversationSearch:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def search(
        self, terms: tuple[str, ...], *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[ConversationMatch]:
        at, key = _AFTER_EVERYTHING if cursor is None else decode_cursor(cursor)
        wanted = max(limit, 0)
        parameters: dict[str, object] = {
            "match": " ".join(f'"{term}"*' for term in terms),
            "number": phone_number_id,
            "at": at,
            "key": key,
            "limit": wanted + 1,
        }
        return await self._database.read(lambda c: _page(c, parameters, terms, wanted))


def _page(
    connection: sqlite3.Connection, parameters: dict[str, object], terms: tuple[str, ...], wanted: int
) -> Page[ConversationMatch]:
    rows = connection.execute(_SEARCH, parameters).fetchall()
    page = rows[:wanted]
    latest = [rowid for _, rowid in page if rowid is not None]
    bodies = connection.execute(
        f"SELECT rowid, body FROM messages WHERE rowid IN ({', '.join('?' * len(latest))})", latest
    ).fetchall()
    texts = {rowid: message_text(decode_message(body).content) for rowid, body in bodies}
    items = [
        ConversationMatch(
            conversation=decode_conversation(body), snippet=None if rowid not in texts else snippet(texts[rowid], terms)
        )
        for body, rowid in page
    ]
    last = items[-1].conversation if len(rows) > wanted and items else None
    next_cursor = None if last is None else encode_cursor(to_micros(last.last_activity_at), last.customer_id)
    return Page(items=items, next_cursor=next_cursor)
