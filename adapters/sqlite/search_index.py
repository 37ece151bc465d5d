"""What SQLite's full-text search indexes, kept in step with every write (adapters/sqlite/search.py reads it).

`searchable_conversations` gives each conversation a small integer id, and keeps beside it what a
search orders and filters on (last activity, business number) and its customer's words, which
triggers index in `customer_search`. `message_search` is contentless, since the text already lives in
each message's body; a message's entry has the rowid `conversation id << 32 | message rowid`, so a hit
names its conversation without reading any row: searching a word that a million messages hold stays a
walk along one FTS5 doclist. (Message rowids stay below 2**32, four billion messages; wahub never
VACUUMs, which could renumber them.)
"""

from __future__ import annotations

import sqlite3

import msgspec

from adapters.sqlite.encoding import to_micros
from domain.conversations import Conversation
from domain.ids import CustomerId, PhoneNumberId
from domain.messages import Message
from domain.search import customer_text, message_text

MESSAGE_BITS = 32
decode_conversation = msgspec.msgpack.Decoder(Conversation).decode
decode_message = msgspec.msgpack.Decoder(Message).decode

_KNOWN = (
    "INSERT INTO searchable_conversations (phone_number_id, customer_id, last_activity_at, words) VALUES (?, ?, 0, '') "
    "ON CONFLICT (phone_number_id, customer_id) DO NOTHING"
)
_ID = "SELECT id FROM searchable_conversations WHERE phone_number_id = ? AND customer_id = ?"
_INDEX_MESSAGE = "INSERT INTO message_search (rowid, text) VALUES (?, ?)"
_INDEX_CONVERSATION = (
    "INSERT INTO searchable_conversations (phone_number_id, customer_id, last_activity_at, words) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (phone_number_id, customer_id) DO UPDATE SET last_activity_at = excluded.last_activity_at, "
    "words = excluded.words"
)


def index_message(connection: sqlite3.Connection, rowid: int, message: Message) -> None:
    """Called when the message's row went in, in the same transaction; messages without text add nothing."""
    text = message_text(message.content)
    if text:
        conversation = _conversation_id(connection, message.phone_number_id, message.customer_id)
        connection.execute(_INDEX_MESSAGE, ((conversation << MESSAGE_BITS) | rowid, text))


def index_conversation(connection: sqlite3.Connection, conversation: Conversation) -> None:
    """Its last activity, and its customer's words, indexed again by the trigger only when they changed."""
    row = (conversation.phone_number_id, conversation.customer_id)
    connection.execute(_INDEX_CONVERSATION, (*row, to_micros(conversation.last_activity_at), customer_text(conversation)))


def index_everything(connection: sqlite3.Connection) -> None:
    """The migration's backfill: every conversation and message stored before search existed."""
    for (body,) in connection.execute("SELECT body FROM conversations").fetchall():
        index_conversation(connection, decode_conversation(body))
    for rowid, body in connection.execute("SELECT rowid, body FROM messages").fetchall():
        index_message(connection, rowid, decode_message(body))


def _conversation_id(connection: sqlite3.Connection, phone_number_id: PhoneNumberId, customer_id: CustomerId) -> int:
    """The message may come before its conversation is written (it is, in the same use case, just after)."""
    connection.execute(_KNOWN, (phone_number_id, customer_id))
    conversation_id: int = connection.execute(_ID, (phone_number_id, customer_id)).fetchone()[0]
    return conversation_id
