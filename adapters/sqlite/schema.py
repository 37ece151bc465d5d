"""The schema as an ordered list of migrations; `PRAGMA user_version` records how many have run.

Never edit a released migration: append a new one. A file whose version is higher than the list is
long was written by a newer wahub, and is refused rather than misread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from adapters.sqlite.encoding import to_micros
from adapters.sqlite.errors import StoreUnavailable
from adapters.sqlite.parked_changes import PARKED_CHANGES
from adapters.sqlite.parked_statuses import PARKED_CONVERSATIONS
from adapters.sqlite.search_index import index_everything
from domain.conversations import WINDOW

APPLICATION_ID = 0x77616862
"""'wahb' in the SQLite header: tells a wahub database from any other SQLite file."""

_MESSAGES = """
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    wamid TEXT UNIQUE,
    direction TEXT NOT NULL,
    phone_number_id TEXT NOT NULL,
    wa_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    day INTEGER GENERATED ALWAYS AS (created_at / 86400000000) VIRTUAL,
    status TEXT NOT NULL,
    business_initiated INTEGER NOT NULL,
    response_seconds REAL,
    pricing_category TEXT,
    pricing_type TEXT,
    failure_code INTEGER,
    failure_title TEXT,
    body BLOB NOT NULL
);
CREATE INDEX messages_history ON messages (phone_number_id, wa_id, created_at DESC, id DESC);
CREATE INDEX messages_daily ON messages (day, direction, status, created_at, phone_number_id);
CREATE INDEX messages_failures ON messages (failure_code, failure_title, created_at, phone_number_id)
    WHERE failure_code IS NOT NULL;
CREATE INDEX messages_pricing ON messages (pricing_category, pricing_type, created_at, phone_number_id)
    WHERE pricing_category IS NOT NULL;
CREATE INDEX messages_responses ON messages (created_at, response_seconds, phone_number_id)
    WHERE response_seconds IS NOT NULL AND direction = 'outbound';
CREATE INDEX messages_business_initiated ON messages (created_at, wa_id)
    WHERE business_initiated = 1 AND direction = 'outbound';
CREATE TABLE parked_statuses (
    seq INTEGER PRIMARY KEY,
    wamid TEXT NOT NULL,
    event BLOB NOT NULL,
    pricing BLOB
);
CREATE INDEX parked_statuses_by_wamid ON parked_statuses (wamid, seq);
"""

_CONVERSATIONS_AND_TEMPLATES = """
CREATE TABLE conversations (
    phone_number_id TEXT NOT NULL,
    wa_id TEXT NOT NULL,
    last_activity_at INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (phone_number_id, wa_id)
) WITHOUT ROWID;
CREATE INDEX conversations_by_activity ON conversations (last_activity_at DESC, wa_id DESC);
CREATE INDEX conversations_of_number_by_activity
    ON conversations (phone_number_id, last_activity_at DESC, wa_id DESC);
CREATE TABLE templates (
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    template_id TEXT,
    body BLOB NOT NULL,
    PRIMARY KEY (name, language)
) WITHOUT ROWID;
CREATE INDEX templates_by_id ON templates (template_id) WHERE template_id IS NOT NULL;
CREATE TABLE media (id TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
"""

_QUEUES_AND_KEYS = """
CREATE TABLE inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    untrusted_body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    processed_at INTEGER
);
CREATE INDEX inbox_unprocessed ON inbox (received_at, seq) WHERE processed_at IS NULL;
CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    phone_number_id TEXT NOT NULL,
    wa_id TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    lease_until INTEGER
) WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox (due_at, message_id);
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    body BLOB NOT NULL
);
"""

_MEDIA_DOWNLOADS = """
ALTER TABLE media ADD COLUMN download_due_at INTEGER;
CREATE INDEX media_downloads_due ON media (download_due_at, id) WHERE download_due_at IS NOT NULL;
"""

_INBOX_ATTEMPTS = """
ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN retry_at INTEGER;
ALTER TABLE inbox ADD COLUMN quarantined_at INTEGER;
ALTER TABLE inbox ADD COLUMN last_error TEXT;
DROP INDEX inbox_unprocessed;
CREATE INDEX inbox_pending ON inbox (received_at, seq) WHERE processed_at IS NULL AND quarantined_at IS NULL;
CREATE INDEX inbox_quarantined ON inbox (quarantined_at, seq) WHERE processed_at IS NULL AND quarantined_at IS NOT NULL;
"""

_OUTBOX_CALLS = """
ALTER TABLE outbox ADD COLUMN called_at INTEGER;
"""


def _customer_ids(connection: sqlite3.Connection) -> None:
    """Customers were keyed by phone number; the key becomes the opaque customer id (the same digits,
    so every id and URL keeps working) and the number is kept as what is known of them, their wa_id."""
    for table in ("messages", "conversations", "outbox"):
        connection.execute(f"ALTER TABLE {table} RENAME COLUMN wa_id TO customer_id")
    messages = connection.execute("SELECT id, body FROM messages").fetchall()
    connection.executemany("UPDATE messages SET body = ? WHERE id = ?", [(_keyed_by_customer(b), k) for k, b in messages])
    conversations = connection.execute("SELECT phone_number_id, customer_id, body FROM conversations").fetchall()
    connection.executemany(
        "UPDATE conversations SET body = ? WHERE phone_number_id = ? AND customer_id = ?",
        [(_keyed_by_customer(body), number, customer) for number, customer, body in conversations],
    )


def _keyed_by_customer(body: bytes) -> bytes:
    record = msgspec.msgpack.decode(body)
    wa_id = record.pop("wa_id")
    record["customer_id"] = wa_id
    record["identity"] = {"wa_id": wa_id} if wa_id.isdigit() else {}
    return msgspec.msgpack.encode(record)


_SEARCH_TABLES = (
    """CREATE TABLE searchable_conversations (
        id INTEGER PRIMARY KEY,
        phone_number_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        last_activity_at INTEGER NOT NULL,
        words TEXT NOT NULL,
        UNIQUE (phone_number_id, customer_id)
    )""",
    "CREATE VIRTUAL TABLE customer_search USING fts5("
    "words, content='searchable_conversations', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER customer_words_added AFTER INSERT ON searchable_conversations BEGIN
        INSERT INTO customer_search (rowid, words) VALUES (new.id, new.words);
    END""",
    """CREATE TRIGGER customer_words_changed AFTER UPDATE OF words ON searchable_conversations
    WHEN old.words IS NOT new.words BEGIN
        INSERT INTO customer_search (customer_search, rowid, words) VALUES ('delete', old.id, old.words);
        INSERT INTO customer_search (rowid, words) VALUES (new.id, new.words);
    END""",
    "CREATE VIRTUAL TABLE message_search USING fts5("
    "text, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2')",
)


def _search(connection: sqlite3.Connection) -> None:
    """Full-text search (adapters/sqlite/search.py), with every message and conversation already stored indexed."""
    for statement in _SEARCH_TABLES:
        connection.execute(statement)
    index_everything(connection)


def _customer_directory(connection: sqlite3.Connection) -> None:
    """Every customer known so far (each by phone number) enters the directory, first seen at their first message."""
    for statement in _CUSTOMERS:
        connection.execute(statement)
    first_seen: dict[str, int] = dict(
        connection.execute("SELECT customer_id, min(created_at) FROM messages GROUP BY customer_id").fetchall()
    )
    identities: dict[str, object] = {}
    for customer_id, last_activity_at, body in connection.execute(
        "SELECT customer_id, last_activity_at, body FROM conversations"
    ).fetchall():
        identities[customer_id] = msgspec.msgpack.decode(body).get("identity", {})
        first_seen[customer_id] = min(first_seen.get(customer_id, last_activity_at), last_activity_at)
    customers = [
        (customer_id, _customer_body(customer_id, identity, first_seen[customer_id]))
        for customer_id, identity in identities.items()
    ]
    connection.executemany("INSERT INTO customers (id, body) VALUES (?, ?)", customers)
    connection.executemany("INSERT INTO customer_handles (handle, customer_id) VALUES (?, ?)", [(i, i) for i in identities])


_CUSTOMERS = (
    "CREATE TABLE customers (id TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID",
    "CREATE TABLE customer_handles (handle TEXT PRIMARY KEY, customer_id TEXT NOT NULL) WITHOUT ROWID",
)
"""executescript would commit the migration's transaction half-way: one statement at a time."""


def _customer_body(customer_id: str, identity: object, first_seen_micros: int) -> bytes:
    first_seen_at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=first_seen_micros)
    record = {"id": customer_id, "identity": identity, "handles": [customer_id], "first_seen_at": first_seen_at}
    return msgspec.msgpack.encode(record)


Migration = str | Callable[[sqlite3.Connection], None]
"""SQL, or a function for what SQL cannot do (rewriting the msgpack bodies), run in the same transaction."""

_ANALYTICS_COLUMNS = (
    "ALTER TABLE messages ADD COLUMN template_name TEXT",
    "ALTER TABLE messages ADD COLUMN template_language TEXT",
    "DROP INDEX messages_responses",
    "CREATE INDEX messages_response_days ON messages (day, response_seconds, created_at, phone_number_id) "
    "WHERE response_seconds IS NOT NULL AND direction = 'outbound'",
    "CREATE INDEX messages_inbound_quarters ON messages (created_at / 900000000, phone_number_id) "
    "WHERE direction = 'inbound'",
    "CREATE INDEX messages_templates ON messages (template_name, template_language, status, created_at, "
    "phone_number_id) WHERE template_name IS NOT NULL",
    "ALTER TABLE conversations ADD COLUMN unanswered_window_closes_at INTEGER",
    "CREATE INDEX conversations_closing_unanswered ON conversations (unanswered_window_closes_at) "
    "WHERE unanswered_window_closes_at IS NOT NULL",
)


def _analytics(connection: sqlite3.Connection) -> None:
    """Columns for per-template analytics and the closing-windows list, filled from the stored bodies."""
    for statement in _ANALYTICS_COLUMNS:
        connection.execute(statement)
    templates = []
    for message_id, body in connection.execute("SELECT id, body FROM messages WHERE direction = 'outbound'"):
        content = msgspec.msgpack.decode(body).get("content", {})
        if content.get("kind") == "template":
            templates.append((content["name"], content["language"]["code"], message_id))
    connection.executemany("UPDATE messages SET template_name = ?, template_language = ? WHERE id = ?", templates)
    closing = []
    for number, customer, body in connection.execute("SELECT phone_number_id, customer_id, body FROM conversations"):
        record = msgspec.msgpack.decode(body)
        last_inbound_at = record.get("window", {}).get("last_inbound_at")
        if record.get("awaiting_reply_since") is not None and last_inbound_at is not None:
            closing.append((to_micros(_aware(last_inbound_at) + WINDOW), number, customer))
    connection.executemany(
        "UPDATE conversations SET unanswered_window_closes_at = ? WHERE phone_number_id = ? AND customer_id = ?",
        closing,
    )


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


MIGRATIONS: tuple[Migration, ...] = (
    _MESSAGES + _CONVERSATIONS_AND_TEMPLATES + _QUEUES_AND_KEYS,
    _MEDIA_DOWNLOADS,
    _customer_ids,
    _search,
    _analytics,
    _INBOX_ATTEMPTS,
    _OUTBOX_CALLS,
    _customer_directory,
    PARKED_CHANGES,
    PARKED_CONVERSATIONS,
)


def migrate(connection: sqlite3.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Bring the file to the latest version, one transaction per migration, refusing foreign or newer files."""
    _refuse_foreign(connection, path)
    version = _version(connection)
    if version > len(migrations):
        raise StoreUnavailable(
            f"database {path} has schema version {version}, newer than this wahub understands "
            f"({len(migrations)}); upgrade wahub"
        )
    for number, script in enumerate(migrations[version:], start=version + 1):
        _apply(connection, number, script)


def _version(connection: sqlite3.Connection) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def _refuse_foreign(connection: sqlite3.Connection, path: Path) -> None:
    """An empty file becomes a wahub database; a file holding another application's tables never does."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    has_tables = connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] > 0
    if application_id != APPLICATION_ID and (application_id != 0 or has_tables):
        raise StoreUnavailable(
            f"database {path} is an SQLite file of another application, not a wahub database; "
            "point WAHUB_DATA_DIR elsewhere"
        )


def _apply(connection: sqlite3.Connection, number: int, migration: Migration) -> None:
    """executescript commits as it goes, so the version bump sits inside the migration's own transaction."""
    try:
        if isinstance(migration, str):
            connection.executescript(
                f"BEGIN IMMEDIATE; {migration}; PRAGMA application_id = {APPLICATION_ID}; "
                f"PRAGMA user_version = {number}; COMMIT;"
            )
            return
        connection.execute("BEGIN IMMEDIATE")
        migration(connection)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {number}")
        connection.execute("COMMIT")
    except sqlite3.Error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
