"""The SQLite store as a file: it survives restarts, refuses files it cannot use, and stays right under concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import msgspec
import pytest

from adapters.sqlite import SqliteStores, StoreUnavailable, open_sqlite_stores
from adapters.sqlite.schema import MIGRATIONS, migrate
from application.records import ApiKey, OutboxEntry, Role
from domain.content import Text
from domain.conversations import Conversation
from domain.messages import Message
from domain.status import MessageStatus, StatusEvent, apply_status
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, message_id, minutes, outbound, wamid


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "wahub.db"


@pytest.fixture
async def stores(path: Path) -> AsyncIterator[SqliteStores]:
    opened = await open_sqlite_stores(path)
    yield opened
    await opened.close()


class TestRestart:
    async def test_everything_written_is_there_after_closing_and_reopening(self, path: Path) -> None:
        first = await open_sqlite_stores(path)
        await first.messages.add(outbound(1, wamid=wamid(1)))
        await first.conversations.update(SHOP_NUMBER, ALICE, lambda _: Conversation(
            phone_number_id=SHOP_NUMBER, customer_id=ALICE, last_activity_at=MONDAY))
        event_id = await first.inbox.append(b'{"object":"whatsapp_business_account"}', MONDAY)
        await first.outbox.enqueue(_entry(1, due_at=MONDAY))
        await first.api_keys.add(
            ApiKey(id="key_1", name="CRM", role=Role.INTEGRATOR, secret_hash="h1", created_at=MONDAY)
        )
        await first.close()

        again = await open_sqlite_stores(path)
        try:
            assert await again.messages.find_by_wamid(wamid(1)) == outbound(1, wamid=wamid(1))
            assert await again.conversations.get(SHOP_NUMBER, ALICE) is not None
            assert [e.id for e in await again.inbox.unprocessed(10)] == [event_id]
            assert await again.outbox.depth() == 1
            assert [k.id for k in await again.api_keys.list()] == ["key_1"]
        finally:
            await again.close()


class TestFilesItCannotUse:
    async def test_a_corrupt_file_is_refused_with_its_name_and_left_untouched(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        path.write_bytes(b"these are not the pages you are looking for" * 100)

        with pytest.raises(StoreUnavailable, match=f"database {path} is not a wahub SQLite database or is corrupt"):
            await open_sqlite_stores(path)

        assert path.read_bytes() == b"these are not the pages you are looking for" * 100

    async def test_a_database_of_a_newer_wahub_is_refused(self, path: Path) -> None:
        await (await open_sqlite_stores(path)).close()
        _set_user_version(path, len(MIGRATIONS) + 4)

        with pytest.raises(StoreUnavailable) as refused:
            await open_sqlite_stores(path)

        assert str(refused.value) == (
            f"database {path} has schema version {len(MIGRATIONS) + 4}, newer than this wahub understands "
            f"({len(MIGRATIONS)}); upgrade wahub"
        )

    async def test_another_applications_sqlite_file_is_refused(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE recipes (name TEXT)")
        other.close()

        with pytest.raises(StoreUnavailable, match="another application, not a wahub database"):
            await open_sqlite_stores(path)


    async def test_a_closed_store_says_so_instead_of_waiting_forever(self, path: Path) -> None:
        closed = await open_sqlite_stores(path)
        await closed.close()

        with pytest.raises(StoreUnavailable, match=f"database {path} is closed"):
            await closed.inbox.append(b"{}", MONDAY)


class TestMigrations:
    def test_an_older_database_gets_the_missing_migrations_and_keeps_its_data(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        first = "CREATE TABLE notes (body TEXT NOT NULL)"
        second = "ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0"
        connection = sqlite3.connect(path, isolation_level=None)
        migrate(connection, path, [first])
        connection.execute("INSERT INTO notes (body) VALUES ('kept')")

        migrate(connection, path, [first, second])

        assert connection.execute("SELECT body, pinned FROM notes").fetchall() == [("kept", 0)]
        assert connection.execute("PRAGMA user_version").fetchone() == (2,)
        connection.close()

    def test_a_failing_migration_leaves_the_database_at_its_previous_version(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        connection = sqlite3.connect(path, isolation_level=None)
        migrate(connection, path, ["CREATE TABLE notes (body TEXT)"])

        with pytest.raises(sqlite3.OperationalError):
            migrate(connection, path, ["CREATE TABLE notes (body TEXT)", "CREATE TABLE extra (x); SELECT nonsense"])

        assert connection.execute("PRAGMA user_version").fetchone() == (1,)
        assert connection.execute("SELECT name FROM sqlite_schema WHERE name = 'extra'").fetchone() is None
        connection.close()

    def test_a_failing_function_migration_leaves_the_database_at_its_previous_version(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        connection = sqlite3.connect(path, isolation_level=None)
        migrate(connection, path, ["CREATE TABLE notes (body TEXT)"])

        def half_done(c: sqlite3.Connection) -> None:
            c.execute("CREATE TABLE extra (x)")
            raise sqlite3.IntegrityError("a row the migration cannot convert")

        with pytest.raises(sqlite3.IntegrityError):
            migrate(connection, path, ["CREATE TABLE notes (body TEXT)", half_done])

        assert connection.execute("PRAGMA user_version").fetchone() == (1,)
        assert connection.execute("SELECT name FROM sqlite_schema WHERE name = 'extra'").fetchone() is None
        connection.close()

    async def test_a_database_from_before_search_finds_what_it_already_held(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        connection = sqlite3.connect(path, isolation_level=None)
        migrate(connection, path, MIGRATIONS[:3])  # the schema as released before full-text search
        sheena = Conversation(phone_number_id=SHOP_NUMBER, customer_id=ALICE, last_activity_at=MONDAY, customer_name="Sheena")
        message = outbound(1, content=Text(body="Your parcel left the depot"))
        connection.execute(
            "INSERT INTO conversations (phone_number_id, customer_id, last_activity_at, body) VALUES (?, ?, 0, ?)",
            (SHOP_NUMBER, ALICE, msgspec.msgpack.encode(sheena)),
        )
        connection.execute(
            "INSERT INTO messages (id, direction, phone_number_id, customer_id, created_at, status, business_initiated, body) "
            "VALUES (?, 'outbound', ?, ?, 0, 'queued', 0, ?)",
            (message.id, SHOP_NUMBER, ALICE, msgspec.msgpack.encode(message)),
        )
        connection.close()

        stores = await open_sqlite_stores(path)
        try:
            by_text = await stores.search.search(("depot",), phone_number_id=None, cursor=None, limit=10)
            by_name = await stores.search.search(("shee",), phone_number_id=None, cursor=None, limit=10)
        finally:
            await stores.close()

        assert [(m.conversation.customer_name, m.snippet) for m in by_text.items] == [("Sheena", "Your parcel left the depot")]
        assert [m.conversation.customer_id for m in by_name.items] == [ALICE]


class TestConcurrency:
    async def test_reordered_concurrent_status_updates_end_in_the_highest_status(self, stores: SqliteStores) -> None:
        await stores.messages.add(outbound(1, wamid=wamid(1)))
        events = [
            StatusEvent(status=MessageStatus.READ, at=MONDAY + minutes(3)),
            StatusEvent(status=MessageStatus.SENT, at=MONDAY + minutes(1)),
            StatusEvent(status=MessageStatus.DELIVERED, at=MONDAY + minutes(2)),
            StatusEvent(status=MessageStatus.ACCEPTED, at=MONDAY),
        ]

        await asyncio.gather(*(stores.messages.update(message_id(1), _joining(e)) for e in events * 5))

        stored = await stores.messages.get(message_id(1))
        assert stored is not None and stored.status.status is MessageStatus.READ
        assert set(stored.status.reached_at) == {e.status for e in events} | {MessageStatus.QUEUED}

    async def test_two_concurrent_claims_never_take_the_same_entry(self, stores: SqliteStores) -> None:
        for n in range(50):
            await stores.outbox.enqueue(_entry(n, due_at=MONDAY))

        first, second = await asyncio.gather(
            stores.outbox.claim(MONDAY, MONDAY + minutes(1), 30), stores.outbox.claim(MONDAY, MONDAY + minutes(1), 30)
        )

        claimed = [e.message_id for e in first + second]
        assert len(claimed) == 50 and len(set(claimed)) == 50

    async def test_five_hundred_concurrent_inbox_appends_are_all_stored_with_distinct_ids(
        self, stores: SqliteStores
    ) -> None:
        bodies = [f'{{"n":{n}}}'.encode() for n in range(500)]

        ids = await asyncio.gather(*(stores.inbox.append(body, MONDAY) for body in bodies))

        stored = await stores.inbox.unprocessed(1000)
        assert len(set(ids)) == 500
        assert sorted(e.untrusted_body for e in stored) == sorted(bodies)

    async def test_writes_asked_together_share_commits(self, stores: SqliteStores) -> None:
        commits, writes = stores.database.commits, stores.database.writes

        await asyncio.gather(*(stores.inbox.append(b"{}", MONDAY) for _ in range(200)))

        assert stores.database.writes - writes == 200
        assert stores.database.commits - commits < 20

    async def test_a_failing_write_fails_alone_within_its_group(self, stores: SqliteStores) -> None:
        def refuse(_: Message) -> Message:
            raise ValueError("the change itself refused")

        await stores.messages.add(outbound(1))
        results = await asyncio.gather(
            stores.inbox.append(b"{}", MONDAY),
            stores.messages.update(message_id(1), refuse),
            stores.inbox.append(b"{}", MONDAY),
            return_exceptions=True,
        )

        assert isinstance(results[1], ValueError)
        assert len(await stores.inbox.unprocessed(10)) == 2


def _entry(n: int, due_at: datetime) -> OutboxEntry:
    return OutboxEntry(message_id=message_id(n), phone_number_id=SHOP_NUMBER, customer_id=ALICE, due_at=due_at)


def _joining(event: StatusEvent) -> Callable[[Message], Message]:
    return lambda m: msgspec.structs.replace(m, status=apply_status(m.status, event))


def _set_user_version(path: Path, version: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()

