"""Receiving: every event of every POST is applied once, statuses only move forward, nothing is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.records import LiveEvent
from application.send_message import SendCommand
from domain.content import Text
from domain.errors import InvalidSignature
from domain.ids import CustomerId, PhoneNumberId, Wamid
from domain.status import MessageStatus
from domain.webhook_signature import sign
from tests.unit.application.conftest import APP_SECRET, Harness
from tests.unit.application.meta_webhooks import (
    BUSINESS_NUMBER_ID,
    OTHER_BUSINESS_NUMBER_ID,
    batched,
    contact,
    envelope,
    messages_change,
    status,
    text_message,
)

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
OTHER_NUMBER = PhoneNumberId(OTHER_BUSINESS_NUMBER_ID)
CUSTOMER = CustomerId("16505551234")


async def published(harness: Harness) -> list[LiveEvent]:
    """Every live event so far: a last marker ends the stream, so reading it never waits for more."""
    marker = await harness.live_events.publish("test.marker", {})
    events: list[LiveEvent] = []
    async for event in harness.live_events.subscribe(after=None):
        if event.id == marker.id:
            return events
        events.append(event)
    raise AssertionError("the live event stream ended before its marker")


async def test_an_inbound_text_opens_the_window_and_appears_in_its_conversation(harness: Harness) -> None:
    hello = text_message(wamid="wamid.IN1", sender=CUSTOMER, body="Does it come in blue?", at=harness.clock.now())

    await harness.receive(envelope(messages_change(messages=[hello], contacts=[contact(CUSTOMER, "Sheena")])))

    conversation = await harness.stores.conversations.get(NUMBER, CUSTOMER)
    assert conversation is not None
    assert conversation.window.is_open(harness.clock.now())
    assert (conversation.customer_name, conversation.unread_count) == ("Sheena", 1)
    message = await harness.stores.messages.find_by_wamid(Wamid("wamid.IN1"))
    assert message is not None and message.content == Text(body="Does it come in blue?")


async def test_a_batched_post_applies_every_entry_change_message_and_status(harness: Harness) -> None:
    at = harness.clock.now()
    first_change = messages_change(
        messages=[
            text_message(wamid="wamid.A1", sender="16505550001", body="one", at=at),
            text_message(wamid="wamid.A2", sender="16505550002", body="two", at=at),
        ]
    )
    second_change = messages_change(
        messages=[text_message(wamid="wamid.B1", sender="16505550003", body="three", at=at)],
        phone_number_id=OTHER_BUSINESS_NUMBER_ID,
    )
    statuses_change = messages_change(
        statuses=[
            status(wamid="wamid.OUT1", status="sent", at=at, recipient="16505550001"),
            status(wamid="wamid.OUT2", status="delivered", at=at, recipient="16505550002"),
        ]
    )

    await harness.receive(batched([first_change, statuses_change], [second_change]))

    for wamid in ("wamid.A1", "wamid.A2", "wamid.B1"):
        assert await harness.stores.messages.find_by_wamid(Wamid(wamid)) is not None
    assert await harness.stores.conversations.get(OTHER_NUMBER, CustomerId("16505550003")) is not None
    assert await harness.stores.conversations.get(NUMBER, CustomerId("16505550003")) is None
    assert len(await harness.stores.messages.take_parked_statuses(Wamid("wamid.OUT1"))) == 1
    assert len(await harness.stores.messages.take_parked_statuses(Wamid("wamid.OUT2"))) == 1


async def test_a_duplicate_webhook_changes_nothing(harness: Harness) -> None:
    body = envelope(messages_change(messages=[text_message(wamid="wamid.IN1", sender=CUSTOMER, body="Hi", at=harness.clock.now())]))

    await harness.receive(body)
    await harness.receive(body)

    conversation = await harness.stores.conversations.get(NUMBER, CUSTOMER)
    assert conversation is not None and conversation.unread_count == 1
    history = await harness.stores.messages.history(NUMBER, CUSTOMER, cursor=None, limit=10)
    assert len(history.items) == 1


async def test_statuses_out_of_order_and_duplicated_never_move_a_message_backwards(harness: Harness) -> None:
    await harness.receive(envelope(messages_change(messages=[text_message(wamid="wamid.IN1", sender=CUSTOMER, body="Hi", at=harness.clock.now())])))
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CUSTOMER, content=Text(body="Hello")))
    await harness.dispatch()
    t0 = harness.clock.now()

    def update(name: str, seconds: int) -> dict[str, object]:
        return status(wamid="wamid.FAKE1", status=name, at=t0 + timedelta(seconds=seconds), recipient=CUSTOMER, callback_data=sent.message.id)

    for item in (update("read", 3), update("sent", 1), update("delivered", 2), update("sent", 1), update("delivered", 2)):
        await harness.receive(envelope(messages_change(statuses=[item])))

    stored = await harness.stores.messages.get(sent.message.id)
    assert stored is not None and stored.status.status is MessageStatus.READ
    assert stored.status.at(MessageStatus.SENT) == t0 + timedelta(seconds=1)
    assert stored.status.at(MessageStatus.READ) == t0 + timedelta(seconds=3)
    assert stored.pricing is not None and stored.pricing.category == "service"


async def test_a_failed_status_carries_metas_code_title_and_details(harness: Harness) -> None:
    await harness.receive(envelope(messages_change(messages=[text_message(wamid="wamid.IN1", sender=CUSTOMER, body="Hi", at=harness.clock.now())])))
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CUSTOMER, content=Text(body="Hello")))
    await harness.dispatch()
    failed = status(
        wamid="wamid.FAKE1",
        status="failed",
        at=harness.clock.now(),
        recipient=CUSTOMER,
        callback_data=sent.message.id,
        error=(131047, "Re-engagement message", "More than 24 hours have passed since the customer last replied."),
    )

    await harness.receive(envelope(messages_change(statuses=[failed])))

    stored = await harness.stores.messages.get(sent.message.id)
    assert stored is not None and stored.status.failure is not None
    assert (stored.status.status, stored.status.failure.code) == (MessageStatus.FAILED, 131047)
    assert stored.status.failure.title == "Re-engagement message"


async def test_a_status_matches_by_callback_data_even_before_the_wamid_was_recorded(harness: Harness) -> None:
    await harness.receive(envelope(messages_change(messages=[text_message(wamid="wamid.IN1", sender=CUSTOMER, body="Hi", at=harness.clock.now())])))
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CUSTOMER, content=Text(body="Hello")))
    early = status(wamid="wamid.EARLY", status="sent", at=harness.clock.now(), recipient=CUSTOMER, callback_data=sent.message.id)

    await harness.receive(envelope(messages_change(statuses=[early])))

    stored = await harness.stores.messages.get(sent.message.id)
    assert stored is not None and (stored.wamid, stored.status.status) == ("wamid.EARLY", MessageStatus.SENT)


async def test_a_signed_body_is_stored_and_a_wrong_signature_is_refused_and_stores_nothing(harness: Harness) -> None:
    body = envelope(messages_change(messages=[text_message(wamid="wamid.IN1", sender=CUSTOMER, body="Hi", at=harness.clock.now())]))

    with pytest.raises(InvalidSignature, match="does not match"):
        await harness.ingest_webhook(body, sign(b"another-secret", body))
    with pytest.raises(InvalidSignature, match="missing"):
        await harness.ingest_webhook(body, None)
    assert await harness.stores.inbox.unprocessed(10) == []

    await harness.ingest_webhook(body, sign(APP_SECRET, body))
    [stored] = await harness.stores.inbox.unprocessed(10)
    assert stored.untrusted_body == body


async def test_a_malformed_body_is_kept_reported_and_does_not_block_the_inbox(harness: Harness) -> None:
    events = harness.live_events.subscribe(after=None)
    await harness.receive(b'{"object": "whatsapp_business_account", "entry": "oops"}')

    assert await harness.stores.inbox.unprocessed(10) == []
    reported = await anext(events)
    assert reported.type == "webhook.malformed"


async def test_one_bad_status_and_one_message_without_sender_are_reported_and_the_rest_of_the_post_applies(
    harness: Harness,
) -> None:
    at = harness.clock.now()
    senderless = text_message(wamid="wamid.A2", sender="16505550002", body="two", at=at)
    del senderless["from"]
    messages = [
        text_message(wamid="wamid.A1", sender="16505550001", body="one", at=at),
        senderless,
        text_message(wamid="wamid.A3", sender="16505550003", body="three", at=at),
    ]
    statuses = [
        status(wamid="wamid.OUT1", status="sent", at=at, recipient="16505550001"),
        status(wamid="OUT2", status="delivered", at=at, recipient="16505550002"),
        status(wamid="wamid.OUT3", status="read", at=at, recipient="16505550003"),
    ]
    body = batched([messages_change(messages=messages), messages_change(statuses=statuses)])

    inbox_event_id = await harness.ingest_webhook(body, sign(APP_SECRET, body))
    await harness.process_inbox_event.process_pending()

    for wamid in ("wamid.A1", "wamid.A3"):
        assert await harness.stores.messages.find_by_wamid(Wamid(wamid)) is not None
    for wamid in ("wamid.OUT1", "wamid.OUT3"):
        assert len(await harness.stores.messages.take_parked_statuses(Wamid(wamid))) == 1
    assert await harness.stores.inbox.unprocessed(10) == []
    reported = [event.data for event in await published(harness) if event.type == "webhook.undecodable"]
    assert reported == [
        {
            "inbox_event_id": inbox_event_id,
            "path": "entry[0].changes[0].value.messages[1]",
            "reason": "Object missing required field `from` - at `entry[0].changes[0].value.messages[1]`",
            "phone_number_id": NUMBER,
        },
        {
            "inbox_event_id": inbox_event_id,
            "path": "entry[0].changes[1].value.statuses[1]",
            "reason": "entry[0].changes[1].value.statuses[1].id: 'OUT2' is not a WhatsApp message id: "
            "wamids look like 'wamid.HBgL...'",
            "phone_number_id": NUMBER,
        },
    ]


async def test_the_report_says_how_long_each_post_waited_between_stored_and_applied(harness: Harness) -> None:
    at = harness.clock.now()
    body = envelope(messages_change(messages=[text_message(wamid="wamid.W1", sender="16505550001", body="Hi", at=at)]))
    await harness.ingest_webhook(body, sign(APP_SECRET, body))
    harness.clock.advance(2.5)

    report = await harness.process_inbox_event.process_pending()

    assert report.applied_after == [2.5]
