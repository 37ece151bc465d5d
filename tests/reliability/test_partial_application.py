"""Applying a POST twice, or half of it, changes nothing (issue 8, part 2).

The SQLite store here fails at its k-th SQL statement while a POST is applied, for every k from
the first statement to the last, as a full disk or an I/O error would; the POST is then applied
again. Each run must end in exactly the state, and with exactly the live events, of one clean
application: no message lost or stored twice, no unread count lost or counted twice, no status
parked twice, no edit left parked, no event lost or published twice. The customer directory
(which merges two customers here) writes before the POST's transaction and is idempotent; edits,
deletions and reactions, including one parked by an earlier POST, are written in the POST's one
transaction.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from adapters.memory.clock import ManualClock
from adapters.memory.live_events import InMemoryLiveEvents
from adapters.sqlite import SqliteStores, open_sqlite_stores
from adapters.sqlite.customers import SqliteCustomerDirectory
from adapters.sqlite.database import Database
from adapters.sqlite.messages import SqliteMessageStore
from adapters.sqlite.post_writer import SqlitePostWriter
from application.process_inbox_event import ProcessInboxEvent
from domain.content import Text
from domain.customers import CustomerIdentity, Sighting
from domain.ids import Bsuid, CustomerId, MessageId, PhoneNumberId, WaId, Wamid
from domain.messages import Direction, Message
from domain.status import MessageStatus, StatusRecord
from domain.templates import MessageTemplate
from tests.unit.application.meta_webhooks import (
    BUSINESS_NUMBER_ID,
    batched,
    contact,
    messages_change,
    status,
    template_status_change,
    text_message,
)

T = TypeVar("T")
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
SHEENA, BJORN = WaId("16505551234"), WaId("46701234567")
OURS = MessageId("msg_" + "7" * 32)
SENT_WAMID, UNKNOWN_WAMID = Wamid("wamid.OURS"), Wamid("wamid.NOTYETRECORDED")
SHEENAS_BSUID = Bsuid("US.13491208655302741918")


def customer_action(kind: str, wamid: str, sender: str, seconds: int, **details: Any) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": str(int((AT + timedelta(seconds=seconds)).timestamp())),
            "type": kind, kind: details}


def the_earlier_post() -> bytes:
    """Sheena deletes her image before its message reached us: the revoke is parked."""
    revoke = customer_action("revoke", "wamid.REVOKE", SHEENA, 8, original_message_id="wamid.IMG")
    return batched([messages_change(messages=[revoke])])


def the_post() -> bytes:
    """Two customers' messages (one an image, whose deletion is parked; one naming Sheena's number and her
    BSUID, known apart so far), an edit, a reaction, a status of our send, one of a send not yet recorded,
    a template verdict."""
    image = text_message(wamid="wamid.IMG", sender=SHEENA, body="", at=AT + timedelta(seconds=2))
    image |= {"type": "image", "image": {"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "x"}}
    del image["text"]
    hi = text_message(wamid="wamid.HI", sender=SHEENA, body="Hi", at=AT + timedelta(seconds=1))
    hi["from_user_id"] = SHEENAS_BSUID
    messages = [
        hi,
        image,
        text_message(wamid="wamid.HEJ", sender=BJORN, body="Hej", at=AT + timedelta(seconds=3)),
        hi,
        customer_action("edit", "wamid.EDIT", BJORN, 5, original_message_id="wamid.HEJ",
                        message={"type": "text", "text": {"body": "Hej då"}}),
        customer_action("reaction", "wamid.LIKE", SHEENA, 6, message_id=SENT_WAMID, emoji="👍"),
    ]
    statuses = [
        status(wamid=SENT_WAMID, status="delivered", at=AT, recipient=SHEENA, callback_data=OURS),
        status(wamid=UNKNOWN_WAMID, status="sent", at=AT, recipient=BJORN),
        status(wamid=SENT_WAMID, status="read", at=AT + timedelta(seconds=4), recipient=SHEENA),
    ]
    verdict = template_status_change(template_id=4321, name="order_update", language="en_US", event="APPROVED")
    contacts = [contact(SHEENA, "Sheena"), contact(BJORN, "Björn")]
    return batched([messages_change(messages=messages, statuses=statuses, contacts=contacts), verdict])


class _FailingConnection:
    """The writer's connection, failing at the k-th statement, as an I/O error would."""

    def __init__(self, connection: sqlite3.Connection, statements: itertools.count[int], k: int) -> None:
        self._connection = connection
        self._statements = statements
        self._k = k

    def execute(self, *arguments: Any) -> sqlite3.Cursor:
        self._count()
        return self._connection.execute(*arguments)

    def executemany(self, *arguments: Any) -> sqlite3.Cursor:
        self._count()
        return self._connection.executemany(*arguments)

    def _count(self) -> None:
        if next(self._statements) == self._k:
            raise sqlite3.OperationalError(f"disk I/O error (injected at statement {self._k})")


class FailingAt:
    """A Database whose writes fail at the k-th statement counted across them; None never fails, but counts."""

    def __init__(self, database: Database, k: int | None) -> None:
        self._database = database
        self._k = k
        self.statements = itertools.count(1)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._database.read(work)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        k = -1 if self._k is None else self._k
        return await self._database.write(lambda c: work(_FailingConnection(c, self.statements, k)))  # type: ignore[arg-type]


@asynccontextmanager
async def prepared_store() -> AsyncIterator[SqliteStores]:
    """Our send already accepted, and the template the verdict is about; the POST stored, not applied."""
    with tempfile.TemporaryDirectory() as directory:
        stores = await open_sqlite_stores(Path(directory) / "wahub.db")
        try:
            accepted = StatusRecord(status=MessageStatus.ACCEPTED, reached_at={MessageStatus.QUEUED: AT, MessageStatus.ACCEPTED: AT})
            await stores.messages.add(
                Message(id=OURS, direction=Direction.OUTBOUND, phone_number_id=NUMBER, customer_id=CustomerId(SHEENA),
                        identity=CustomerIdentity(wa_id=SHEENA),
                        content=Text(body="Your order shipped"), created_at=AT, status=accepted)
            )
            await stores.templates.save(
                msgspec.json.decode(
                    b'{"name":"order_update","language":"en_US","category":"UTILITY",'
                    b'"components":[{"type":"BODY","text":"Hi"}],"id":"4321","status":"PENDING"}',
                    type=MessageTemplate,
                )
            )
            await stores.customers.identify(Sighting(identity=CustomerIdentity(wa_id=SHEENA), at=AT - timedelta(days=2)))
            await stores.customers.identify(
                Sighting(identity=CustomerIdentity(user_id=SHEENAS_BSUID), at=AT - timedelta(days=1))
            )
            await stores.inbox.append(the_earlier_post(), AT)
            await processor(stores, stores.database, InMemoryLiveEvents(), ManualClock(AT)).process_pending()
            await stores.inbox.append(the_post(), AT)
            yield stores
        finally:
            await stores.close()


def processor(stores: SqliteStores, database: Any, live: InMemoryLiveEvents, clock: ManualClock) -> ProcessInboxEvent:
    """Every write of applying a POST goes to `database`: the directory's, the lookups', the POST's."""
    return ProcessInboxEvent(
        inbox=stores.inbox,
        decoder=MetaWebhookDecoder(),
        writer=SqlitePostWriter(database),
        messages=SqliteMessageStore(database),
        customers=SqliteCustomerDirectory(database),
        live_events=live,
        clock=clock,
    )


async def state(stores: SqliteStores) -> dict[str, Any]:
    """Everything the POST may change, without the random ids of inbound messages."""
    rows = await stores.database.read(
        lambda c: {
            "messages": c.execute(
                "SELECT wamid, direction, customer_id, status, body FROM messages ORDER BY wamid"
            ).fetchall(),
            "conversations": c.execute("SELECT * FROM conversations ORDER BY customer_id").fetchall(),
            "parked": c.execute("SELECT wamid, event, pricing FROM parked_statuses ORDER BY seq").fetchall(),
            "parked_changes": c.execute("SELECT wamid, change FROM parked_changes ORDER BY seq").fetchall(),
            "customers": c.execute("SELECT id, body FROM customers ORDER BY id").fetchall(),
            "handles": c.execute("SELECT handle, customer_id FROM customer_handles ORDER BY handle").fetchall(),
            "media": c.execute("SELECT id FROM media ORDER BY id").fetchall(),  # due when applied
            "templates": c.execute("SELECT name, body FROM templates").fetchall(),
            "inbox": c.execute("SELECT processed_at IS NOT NULL, quarantined_at FROM inbox").fetchall(),
        }
    )
    decode = msgspec.msgpack.Decoder(Message).decode
    rows["messages"] = [
        (wamid, direction, wa_id, status, msgspec.structs.replace(decode(body), id=MessageId("msg_" + "0" * 32)) if direction == "inbound" else decode(body))
        for wamid, direction, wa_id, status, body in rows["messages"]
    ]
    return rows


async def published(live: InMemoryLiveEvents) -> list[tuple[str, Any]]:
    marker = await live.publish("test.marker", {})
    seen: list[tuple[str, Any]] = []
    async for event in live.subscribe(after=None):
        if event.id == marker.id:
            return seen
        if event.type not in ("webhook.quarantined",):
            seen.append((event.type, event.data.get("wamid") or event.data.get("name"), event.data.get("status")))
    return seen


async def apply_failing_at(k: int | None) -> tuple[bool, dict[str, Any], list[tuple[str, Any]], int]:
    """Apply the POST with the store failing at statement k, then again with a sound store."""
    async with prepared_store() as stores:
        clock, live = ManualClock(AT + timedelta(minutes=1)), InMemoryLiveEvents()
        failing = FailingAt(stores.database, k)
        [event] = await stores.inbox.unprocessed(10)
        assert event.untrusted_body == the_post()
        applied_at_first = await processor(stores, failing, live, clock)(event)
        clock.advance(timedelta(minutes=10).total_seconds())
        await processor(stores, stores.database, live, clock).process_pending()
        return applied_at_first, await state(stores), await published(live), next(failing.statements) - 1


async def test_a_failure_at_any_statement_then_a_replay_ends_as_one_clean_application() -> None:
    applied, clean_state, clean_events, statements = await apply_failing_at(None)
    assert applied and statements > 10, statements
    assert len(clean_state["messages"]) == 5 and len(clean_state["parked"]) == 1
    assert clean_state["parked_changes"] == [] and [c for c, _ in clean_state["customers"]] == [SHEENA, BJORN]
    assert [e[0] for e in clean_events].count("message.received") == 4
    assert [e[0] for e in clean_events].count("message.updated") == 3  # the image deleted, Hej edited, ours liked
    assert [e[0] for e in clean_events].count("customer.merged") == 1

    for k in range(1, statements + 1):
        applied, after_replay, events, _ = await apply_failing_at(k)

        assert not applied, f"the store failed at statement {k}, yet the POST counted as applied"
        assert after_replay == clean_state, f"failed at statement {k} of {statements}"
        assert events == clean_events, f"failed at statement {k} of {statements}"
