"""Customers keyed by phone number before BSUIDs: both stores migrate such data in place.

The previous version's records are the current ones with the customer key named `wa_id` and no
identity: that is exactly what wahub wrote before customer ids existed.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import msgspec

from adapters.firestore.documents import PAYLOAD, document_key
from adapters.sqlite import open_sqlite_stores
from adapters.sqlite.schema import MIGRATIONS, migrate
from application.records import OutboxEntry
from domain.conversations import Conversation, CustomerServiceWindow
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, inbound, message_id, minutes, wamid
from tests.firestore_emulator import firestore_emulator, firestore_stores

__all__ = ["firestore_emulator"]

CONVERSATION = Conversation(
    phone_number_id=SHOP_NUMBER,
    customer_id=ALICE,
    last_activity_at=MONDAY,
    window=CustomerServiceWindow(last_inbound_at=MONDAY),
    customer_name="Alice",
    unread_count=1,
)
MESSAGE = inbound(1, wamid=wamid(1))
ENTRY = OutboxEntry(message_id=message_id(2), phone_number_id=SHOP_NUMBER, customer_id=ALICE, due_at=MONDAY)


def _previous(record: Any) -> dict[str, Any]:
    fields: dict[str, Any] = msgspec.to_builtins(record)
    fields["wa_id"] = fields.pop("customer_id")
    fields.pop("identity", None)
    return fields


async def test_a_sqlite_database_of_the_previous_version_keeps_its_customers_ids_and_history(tmp_path: Path) -> None:
    path = tmp_path / "wahub.db"
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, path, MIGRATIONS[:2])
    message_row = (MESSAGE.id, MESSAGE.wamid, "inbound", SHOP_NUMBER, ALICE, 0, "delivered", 0)
    connection.execute(
        "INSERT INTO messages (id, wamid, direction, phone_number_id, wa_id, created_at, status, business_initiated,"
        " body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*message_row, msgspec.msgpack.encode({**_previous(MESSAGE), "created_at": MESSAGE.created_at})),
    )
    connection.execute(
        "INSERT INTO conversations (phone_number_id, wa_id, last_activity_at, body) VALUES (?, ?, ?, ?)",
        (SHOP_NUMBER, ALICE, 0, msgspec.msgpack.encode(_conversation_body())),
    )
    connection.execute(
        "INSERT INTO outbox (message_id, phone_number_id, wa_id, due_at, attempt) VALUES (?, ?, ?, 0, 0)",
        (ENTRY.message_id, SHOP_NUMBER, ALICE),
    )
    connection.close()

    stores = await open_sqlite_stores(path)
    try:
        conversation = await stores.conversations.get(SHOP_NUMBER, ALICE)
        history = await stores.messages.history(SHOP_NUMBER, ALICE, cursor=None, limit=10)
        [entry] = await stores.outbox.claim(MONDAY + minutes(1), MONDAY + minutes(2), 10)
    finally:
        await stores.close()

    assert conversation is not None and conversation.customer_id == ALICE
    assert conversation.identity.wa_id == ALICE and conversation.unread_count == 1
    assert [m.id for m in history.items] == [MESSAGE.id]
    assert history.items[0].identity.wa_id == ALICE and history.items[0].customer_id == ALICE
    assert entry.customer_id == ALICE


def _conversation_body() -> dict[str, Any]:
    """msgpack keeps datetimes as timestamps, as the previous version wrote them."""
    body = _previous(CONVERSATION)
    body["last_activity_at"] = CONVERSATION.last_activity_at
    body["window"] = {"last_inbound_at": MONDAY}
    return body


async def test_a_firestore_database_of_the_previous_version_keeps_its_customers_ids_and_history() -> None:
    async with firestore_stores() as stores:
        client = stores._client
        await client.collection("messages").document(MESSAGE.id).set(
            {
                PAYLOAD: json.dumps(_previous_json(MESSAGE)),
                "id": MESSAGE.id,
                "phone_number_id": SHOP_NUMBER,
                "wa_id": ALICE,
                "direction": "inbound",
                "status": "delivered",
                "created_at": MONDAY,
            }
        )
        await client.collection("conversations").document(document_key(SHOP_NUMBER, ALICE)).set(
            {PAYLOAD: json.dumps(_previous_json(CONVERSATION)), "phone_number_id": SHOP_NUMBER,
             "last_activity_at": MONDAY, "position": f"{ALICE}|{SHOP_NUMBER}"}
        )

        await stores.migrate()
        await stores.migrate()

        conversation = await stores.conversations.get(SHOP_NUMBER, ALICE)
        history = await stores.messages.history(SHOP_NUMBER, ALICE, cursor=None, limit=10)
    assert conversation is not None and conversation.identity.wa_id == ALICE and conversation.customer_name == "Alice"
    assert [(m.id, m.customer_id, m.identity.wa_id) for m in history.items] == [(MESSAGE.id, ALICE, ALICE)]


def _previous_json(record: Any) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(msgspec.json.encode(record))
    fields["wa_id"] = fields.pop("customer_id")
    fields.pop("identity", None)
    return fields
