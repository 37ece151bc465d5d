"""A customer's edits, deletions and reactions attach to their message, even when they come first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from application.send_message import SendCommand
from domain.content import Text
from domain.conversations import DELETED_PREVIEW
from domain.ids import CustomerId, PhoneNumberId, Wamid
from domain.status import Failure, MessageStatus
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change, status, text_message
from tests.unit.application.test_process_webhooks import published

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
PHONE = "16505551234"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ORIGINAL = "wamid.ORIGINAL1"


def at(minutes: int) -> str:
    return str(int((T0 + timedelta(minutes=minutes)).timestamp()))


def original() -> bytes:
    return envelope(messages_change(messages=[text_message(wamid=ORIGINAL, sender=PHONE, body="Blue, size M", at=T0)]))


def edit(n: int, body: str) -> bytes:
    item = {"from": PHONE, "id": f"wamid.EDIT{n}", "timestamp": at(n), "type": "edit"}
    item["edit"] = {"original_message_id": ORIGINAL, "message": {"type": "text", "text": {"body": body}}}  # type: ignore[assignment]
    return envelope(messages_change(messages=[item]))


def revoke(n: int) -> bytes:
    item: dict[str, Any] = {"from": PHONE, "id": f"wamid.REVOKE{n}", "timestamp": at(n), "type": "revoke"}
    item["revoke"] = {"original_message_id": ORIGINAL}
    return envelope(messages_change(messages=[item]))


def reaction(n: int, emoji: str, target: str = ORIGINAL) -> bytes:
    item: dict[str, Any] = {"from": PHONE, "id": f"wamid.REACT{n}", "timestamp": at(n), "type": "reaction"}
    item["reaction"] = {"message_id": target, "emoji": emoji}
    return envelope(messages_change(messages=[item]))


async def stored(harness: Harness, wamid: str = ORIGINAL) -> Any:
    message = await harness.stores.messages.find_by_wamid(Wamid(wamid))
    assert message is not None
    return message


async def our_answer(harness: Harness) -> Any:
    """The business answers the customer; the answer as stored once Meta accepted it (with its wamid)."""
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(PHONE), content=Text(body="Hi")))
    await harness.dispatch()
    ours = await harness.stores.messages.get(sent.message.id)
    assert ours is not None and ours.wamid is not None
    return ours


async def test_an_edit_replaces_what_is_shown_and_keeps_the_earlier_version(harness: Harness) -> None:
    await harness.receive(original())
    await harness.receive(edit(2, "Blue, size L"))
    await harness.receive(edit(2, "Blue, size L"))

    message = await stored(harness)
    assert message.shown_content == Text(body="Blue, size L")
    assert message.earlier_versions == [(Text(body="Blue, size M"), T0 + timedelta(minutes=2))]
    assert [e.type for e in await published(harness)] == ["message.received", "message.updated"]
    history = await harness.conversation_history(NUMBER, CustomerId(PHONE), None, 10)
    assert len(history.items) == 1, "an edit is not a message of its own"


async def test_edits_and_a_revoke_arriving_before_the_original_are_applied_when_it_arrives(harness: Harness) -> None:
    await harness.receive(edit(3, "Red, size L"))
    await harness.receive(revoke(5))
    await harness.receive(edit(2, "Blue, size L"))
    await harness.receive(original())

    message = await stored(harness)
    assert message.shown_content == Text(body="Red, size L")
    assert [content for content, _ in message.earlier_versions] == [Text(body="Blue, size M"), Text(body="Blue, size L")]
    assert message.revoked_at == T0 + timedelta(minutes=5)
    assert message.content == Text(body="Blue, size M"), "the content is kept for audit"


async def test_a_reaction_attaches_to_its_message_and_the_latest_one_wins_even_a_removal(harness: Harness) -> None:
    await harness.receive(reaction(4, ""))
    await harness.receive(original())
    await harness.receive(reaction(2, "\U0001f44d"))

    message = await stored(harness)
    assert message.reaction is not None and message.reaction.emoji == "" and message.reaction.wamid == "wamid.REACT4"


async def test_a_reaction_to_one_of_our_messages_attaches_to_it(harness: Harness) -> None:
    await harness.receive(original())
    ours = await our_answer(harness)

    await harness.receive(reaction(3, "\u2764\ufe0f", target=ours.wamid))

    reacted = await stored(harness, ours.wamid)
    assert reacted.reaction.emoji == "\u2764\ufe0f"


async def test_a_failed_status_keeps_every_error_and_a_sent_one_its_conversation(harness: Harness) -> None:
    await harness.receive(original())
    ours = await our_answer(harness)
    sent_status = status(wamid=ours.wamid, status="sent", at=T0 + timedelta(minutes=1), recipient=PHONE)
    sent_status["conversation"] = {"id": "c0ffee", "origin": {"type": "service"}, "expiration_timestamp": at(60)}
    failed = status(
        wamid=ours.wamid, status="failed", at=T0 + timedelta(minutes=2), recipient=PHONE,
        error=(131049, "This message was not delivered to maintain healthy ecosystem engagement.", "per-user limit"),
    )
    failed["errors"].append({"code": 131026, "title": "Message undeliverable", "error_data": {"details": "x"}})

    await harness.receive(envelope(messages_change(statuses=[sent_status, failed])))

    message = await harness.stores.messages.get(ours.id)
    assert message is not None and message.status.status is MessageStatus.FAILED
    assert [e.code for e in message.status.errors] == [131049, 131026]
    assert message.status.errors[1] == Failure(code=131026, title="Message undeliverable", details="x")
    assert message.conversation is not None and message.conversation.origin == "service"
    assert message.conversation.expires_at == T0 + timedelta(minutes=60)


async def test_change_level_errors_are_published_for_operators(harness: Harness) -> None:
    change = messages_change()
    change["value"]["errors"] = [{"code": 131000, "title": "Something went wrong", "message": "Something went wrong"}]

    await harness.receive(envelope(change))

    [reported] = [e for e in await published(harness) if e.type == "webhook.errors"]
    assert list(reported.data["errors"]) == [{"code": 131000, "title": "Something went wrong"}]


async def test_an_edit_or_deletion_of_the_newest_message_changes_the_conversation_preview(harness: Harness) -> None:
    await harness.receive(original())
    await harness.receive(edit(2, "Blue, size L"))
    assert (await preview(harness)) == "Blue, size L"

    await harness.receive(revoke(3))
    assert (await preview(harness)) == DELETED_PREVIEW
    assert [e.type for e in await published(harness)].count("message.updated") == 2


async def test_an_edit_of_an_older_message_leaves_the_preview_of_the_newest(harness: Harness) -> None:
    await harness.receive(original())
    later = text_message(wamid="wamid.LATER", sender=PHONE, body="Also a mug", at=T0 + timedelta(minutes=1))
    await harness.receive(envelope(messages_change(messages=[later])))

    await harness.receive(edit(2, "Blue, size L"))

    assert (await preview(harness)) == "Also a mug"


async def test_a_status_parked_before_its_send_was_recorded_keeps_its_conversation_and_pricing(
    harness: Harness
) -> None:
    await harness.receive(original())
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(PHONE), content=Text(body="Hi")))
    early = status(wamid="wamid.FAKE1", status="sent", at=T0 + timedelta(minutes=1), recipient=PHONE)
    early["conversation"] = {"id": "c0ffee", "origin": {"type": "service"}, "expiration_timestamp": at(60)}
    early["pricing"] = {"billable": False, "category": "service", "pricing_model": "PMP", "type": "free_customer_service"}
    await harness.receive(envelope(messages_change(statuses=[early])))  # parked: no callback data, wamid unknown

    await harness.dispatch()

    message = await harness.stores.messages.get(sent.message.id)
    assert message is not None and message.wamid == "wamid.FAKE1" and message.status.status is MessageStatus.SENT
    assert message.conversation is not None and message.conversation.id == "c0ffee"
    assert message.pricing is not None and message.pricing.category == "service"


async def preview(harness: Harness) -> str | None:
    conversation = await harness.stores.conversations.get(NUMBER, CustomerId(PHONE))
    assert conversation is not None
    return conversation.last_message_preview
