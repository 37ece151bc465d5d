"""Data written before the analytics tallies and columns existed is counted after both stores migrate."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import msgspec
from google.cloud import firestore

from adapters.firestore import day_tallies
from adapters.sqlite import open_sqlite_stores
from adapters.sqlite.encoding import to_micros
from adapters.sqlite.schema import MIGRATIONS, migrate
from domain.analytics import AnalyticsQuery, DailyVolume, TemplateStatusCount
from domain.content import Template, TemplateLanguage
from domain.conversations import Conversation, CustomerServiceWindow
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, inbound, outbound
from tests.firestore_emulator import firestore_emulator, firestore_stores

__all__ = ["firestore_emulator"]

WEEK = AnalyticsQuery(since=MONDAY, until=MONDAY + timedelta(days=7))
HELLO = outbound(1, content=Template(name="hello_world", language=TemplateLanguage(code="en_US")))
WAITING = Conversation(
    phone_number_id=SHOP_NUMBER, customer_id=ALICE, last_activity_at=MONDAY,
    window=CustomerServiceWindow(last_inbound_at=MONDAY), awaiting_reply_since=MONDAY,
)
SOON_LOST = MONDAY + timedelta(hours=23)
_DELETE = firestore.DELETE_FIELD


async def test_a_sqlite_database_before_analytics_counts_its_templates_and_closing_windows(tmp_path: Path) -> None:
    path = tmp_path / "wahub.db"
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, path, MIGRATIONS[:3])
    connection.execute(
        "INSERT INTO messages (id, direction, phone_number_id, customer_id, created_at, status, business_initiated,"
        " body) VALUES (?, 'outbound', ?, ?, ?, 'queued', 0, ?)",
        (HELLO.id, SHOP_NUMBER, ALICE, to_micros(MONDAY), msgspec.msgpack.encode(HELLO)),
    )
    connection.execute(
        "INSERT INTO conversations (phone_number_id, customer_id, last_activity_at, body) VALUES (?, ?, ?, ?)",
        (SHOP_NUMBER, ALICE, to_micros(MONDAY), msgspec.msgpack.encode(WAITING)),
    )
    connection.close()

    stores = await open_sqlite_stores(path)
    try:
        templates = await stores.messages.analytics.template_statuses(WEEK)
        closing = await stores.conversations.closing_unanswered(phone_number_id=None, now=SOON_LOST)
    finally:
        await stores.close()

    assert templates == [TemplateStatusCount(name="hello_world", language="en_US", status="queued", count=1)]
    assert [c.customer_id for c in closing] == [ALICE]


async def test_a_firestore_database_before_the_day_tallies_is_counted_afresh() -> None:
    async with firestore_stores() as stores:
        await stores.migrate()
        await stores.messages.add(HELLO)
        await stores.messages.add(inbound(2))
        await stores.conversations.update(SHOP_NUMBER, ALICE, lambda _: WAITING)
        client = stores._client
        async for shard in client.collection(day_tallies.COLLECTION).stream():
            await shard.reference.delete()
        async for conversation in client.collection("conversations").stream():
            await conversation.reference.update({"unanswered_window_closes_at": _DELETE})
        await client.collection("schema").document("version").set({"version": 1})

        await stores.migrate()
        await stores.migrate()

        volumes = await stores.messages.analytics.daily_volumes(WEEK)
        templates = await stores.messages.analytics.template_statuses(WEEK)
        closing = await stores.conversations.closing_unanswered(phone_number_id=None, now=SOON_LOST)
    assert volumes == [
        DailyVolume(day="2025-06-02", direction="inbound", count=1),
        DailyVolume(day="2025-06-02", direction="outbound", count=1),
    ]
    assert templates == [TemplateStatusCount(name="hello_world", language="en_US", status="queued", count=1)]
    assert [c.customer_id for c in closing] == [ALICE]
