"""Customers known by BSUID, hidden numbers, changed numbers and BSUIDs: one conversation throughout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.send_message import SendCommand
from domain.content import Template, TemplateLanguage, Text
from domain.errors import PhoneNumberRequired
from domain.ids import CustomerId, PhoneNumberId
from domain.templates import MessageTemplate, TemplateButton, TemplateCategory, TemplateComponent, TemplateStatus
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change, status
from tests.unit.application.test_process_webhooks import published

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
PHONE, NEW_PHONE = "16505551234", "16505559876"
BSUID, NEW_BSUID = "US.13491208655302741918", "US.99991208655302741918"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def message(n: int, *, phone: str | None = None, bsuid: str | None = None, username: str | None = None) -> bytes:
    """A text as Meta sends it in 2026: `from` only when the number may be shared, `from_user_id` always."""
    item: dict[str, Any] = {"id": f"wamid.IN{n}", "timestamp": str(int((T0 + timedelta(minutes=n)).timestamp()))}
    item |= {"type": "text", "text": {"body": f"message {n}"}}
    card: dict[str, Any] = {"profile": {"name": "Sheena"}}
    if phone:
        item["from"] = card["wa_id"] = phone
    if bsuid:
        item["from_user_id"] = card["user_id"] = bsuid
    if username:
        card["profile"]["username"] = username
    return envelope(messages_change(messages=[item], contacts=[card]))


def changed(n: int, kind: str, *, old: dict[str, str], new: dict[str, str]) -> bytes:
    """A system notice: sent under the old handles, naming the new ones; no contacts array."""
    item: dict[str, Any] = {"id": f"wamid.SYS{n}", "timestamp": str(int((T0 + timedelta(minutes=n)).timestamp()))}
    item |= {"type": "system", "system": {"body": "changed", "type": kind, **new}}
    if "wa_id" in old:
        item["from"] = old["wa_id"]
    if "user_id" in old:
        item["from_user_id"] = old["user_id"]
    return envelope(messages_change(messages=[item]))


async def conversations(harness: Harness) -> list[Any]:
    return (await harness.stores.conversations.list(phone_number_id=None, cursor=None, limit=50)).items


async def test_a_bsuid_only_customer_reaches_a_conversation_named_by_the_bsuid(harness: Harness) -> None:
    await harness.receive(message(1, bsuid=BSUID, username="sheena"))

    [conversation] = await conversations(harness)
    assert conversation.customer_id == BSUID and conversation.unread_count == 1
    assert conversation.identity.user_id == BSUID and conversation.identity.username == "sheena"
    history = await harness.conversation_history(NUMBER, CustomerId(BSUID), None, 10)
    assert [m.content for m in history.items] == [Text(body="message 1")]
    assert [e.type for e in await published(harness)] == ["message.received"]


async def test_the_thread_continues_when_the_number_appears_and_disappears(harness: Harness) -> None:
    await harness.receive(message(1, phone=PHONE))
    await harness.receive(message(2, phone=PHONE, bsuid=BSUID))
    await harness.receive(message(3, bsuid=BSUID))

    [conversation] = await conversations(harness)
    assert conversation.customer_id == PHONE and conversation.unread_count == 3
    assert (conversation.identity.wa_id, conversation.identity.user_id) == (PHONE, BSUID)
    by_bsuid = await harness.conversation_history(NUMBER, CustomerId(BSUID), None, 10)
    assert len(by_bsuid.items) == 3


async def test_a_changed_number_and_a_changed_bsuid_continue_the_thread(harness: Harness) -> None:
    await harness.receive(message(1, phone=PHONE, bsuid=BSUID))
    await harness.receive(
        changed(2, "user_changed_number", old={"wa_id": PHONE, "user_id": BSUID}, new={"wa_id": NEW_PHONE, "user_id": NEW_BSUID})
    )
    await harness.receive(message(3, phone=NEW_PHONE, bsuid=NEW_BSUID))
    await harness.receive(changed(4, "user_changed_user_id", old={"user_id": NEW_BSUID}, new={"user_id": "US.77"}))
    await harness.receive(message(5, bsuid="US.77"))

    [conversation] = await conversations(harness)
    assert conversation.customer_id == PHONE
    assert (conversation.identity.wa_id, conversation.identity.user_id) == (NEW_PHONE, "US.77")
    history = await harness.conversation_history(NUMBER, CustomerId(NEW_PHONE), None, 10)
    assert len(history.items) == 5


async def test_a_changed_bsuid_named_only_in_previous_user_id_continues_the_thread(harness: Harness) -> None:
    """Meta's notice (Aug 2026) may come from the new BSUID and name the old one only in `system.previous_user_id`."""
    await harness.receive(message(1, bsuid=BSUID))
    notice = {"user_id": NEW_BSUID, "previous_user_id": BSUID, "parent_user_id": "US.ENT.11815799212886844830"}
    await harness.receive(changed(2, "user_changed_user_id", old={"user_id": NEW_BSUID}, new=notice))
    await harness.receive(message(3, bsuid=NEW_BSUID))

    [conversation] = await conversations(harness)
    assert conversation.customer_id == BSUID and conversation.unread_count == 3
    assert (conversation.identity.user_id, conversation.identity.parent_user_id) == (NEW_BSUID, "US.ENT.11815799212886844830")


async def test_statuses_naming_number_and_bsuid_link_them_to_the_customer_the_message_went_to(harness: Harness) -> None:
    await harness.receive(message(1, phone=PHONE))
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(PHONE), content=Text(body="Hi")))
    await harness.dispatch()
    stored = await harness.stores.messages.get(sent.message.id)
    assert stored is not None and stored.wamid is not None
    delivered = status(wamid=stored.wamid, status="delivered", at=T0 + timedelta(minutes=2), recipient=PHONE)
    delivered["recipient_user_id"] = BSUID
    card = {"wa_id": PHONE, "user_id": BSUID, "profile": {"username": "sheena"}}
    await harness.receive(envelope(messages_change(statuses=[delivered], contacts=[card])))
    await harness.receive(message(3, bsuid=BSUID))

    [conversation] = await conversations(harness)
    assert conversation.customer_id == PHONE and conversation.identity.username == "sheena"


async def test_a_send_to_a_bsuid_only_customer_goes_to_the_bsuid(harness: Harness) -> None:
    await harness.receive(message(1, bsuid=BSUID))

    await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(BSUID), content=Text(body="Hello")))
    await harness.dispatch()

    [request] = harness.cloud_api.sent
    assert request.to is None and request.recipient == BSUID


async def test_a_status_naming_only_the_number_of_a_bsuid_only_customer_teaches_their_number(harness: Harness) -> None:
    await harness.receive(message(1, bsuid=BSUID))
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(BSUID), content=Text(body="Hi")))
    await harness.dispatch()
    delivered = status(wamid="wamid.FAKE1", status="delivered", at=T0 + timedelta(minutes=2), recipient=PHONE,
                       callback_data=sent.message.id)
    await harness.receive(envelope(messages_change(statuses=[delivered])))

    await harness.receive(message(3, phone=PHONE))

    [conversation] = await conversations(harness)
    assert conversation.customer_id == BSUID and conversation.identity.wa_id == PHONE
    assert conversation.unread_count == 2


async def test_a_status_naming_another_number_alone_links_nothing(harness: Harness) -> None:
    """A number is how we addressed a customer known by one: a status naming another is no reason to merge."""
    await harness.receive(message(1, phone=PHONE))
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(PHONE), content=Text(body="Hi")))
    await harness.dispatch()
    delivered = status(wamid="wamid.FAKE1", status="delivered", at=T0 + timedelta(minutes=2), recipient=NEW_PHONE,
                       callback_data=sent.message.id)
    await harness.receive(envelope(messages_change(statuses=[delivered])))

    await harness.receive(message(3, phone=NEW_PHONE))

    assert sorted(c.customer_id for c in await conversations(harness)) == [PHONE, NEW_PHONE]


async def test_two_customers_found_to_be_one_are_published_as_merged(harness: Harness) -> None:
    await harness.receive(message(1, phone=PHONE))
    await harness.receive(message(2, bsuid=BSUID))

    await harness.receive(message(3, phone=PHONE, bsuid=BSUID))

    [merged] = [e for e in await published(harness) if e.type == "customer.merged"]
    assert merged.data == {"customer_id": PHONE, "absorbed": [BSUID], "identity": {"wa_id": PHONE, "user_id": BSUID}}


async def test_an_authentication_template_with_a_code_button_is_refused_for_a_bsuid_before_sending(
    harness: Harness,
) -> None:
    await harness.receive(message(1, bsuid=BSUID))
    otp = MessageTemplate(
        name="login_code",
        language="en_US",
        category=TemplateCategory.AUTHENTICATION,
        status=TemplateStatus.APPROVED,
        components=[
            TemplateComponent(type="BODY", text="{{1}} is your code."),
            TemplateComponent(type="BUTTONS", buttons=[TemplateButton(type="OTP", text="Copy code")]),
        ],
    )
    await harness.stores.templates.save(otp)
    send = Template(name="login_code", language=TemplateLanguage(code="en_US"))

    try:
        await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(BSUID), content=send))
    except PhoneNumberRequired as refused:
        assert "131062" in str(refused)
    else:
        raise AssertionError("a one-tap/zero-tap/copy-code template to a BSUID must be refused")
    assert harness.cloud_api.sent == []


SIGHTINGS = [
    message(1, phone=PHONE),
    message(2, bsuid=BSUID),
    message(3, phone=PHONE, bsuid=BSUID),
    changed(4, "user_changed_number", old={"wa_id": PHONE, "user_id": BSUID}, new={"wa_id": NEW_PHONE, "user_id": NEW_BSUID}),
    message(5, phone=NEW_PHONE),
    message(6, bsuid=NEW_BSUID),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(SIGHTINGS))
async def test_any_order_of_one_persons_webhooks_ends_in_one_conversation_with_every_message(order: list[bytes]) -> None:
    harness = Harness()
    for body in order:
        await harness.receive(body)

    [conversation] = await conversations(harness)
    history = await harness.conversation_history(NUMBER, conversation.customer_id, None, 50)
    assert len(history.items) == len(SIGHTINGS) and conversation.unread_count == len(SIGHTINGS)
