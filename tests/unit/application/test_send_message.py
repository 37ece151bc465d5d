"""Sending: what is accepted into the outbox, and what is refused at once with Meta's reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.send_message import SendCommand
from domain.content import Template, TemplateLanguage, Text
from domain.errors import InvalidContent, MessagingLimitReached, TemplateNotSendable, TemplateRequired
from domain.ids import CustomerId, PhoneNumberId
from domain.rate_limits import MessagingTier
from domain.status import MessageStatus
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateStatus
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, contact, envelope, messages_change, text_message

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
CUSTOMER = CustomerId("16505551234")
HELLO = Template(name="hello_world", language=TemplateLanguage(code="en_US"))


async def customer_writes(harness: Harness, body: str = "Hi, is my order on its way?", wamid: str = "wamid.IN1") -> None:
    message = text_message(wamid=wamid, sender=CUSTOMER, body=body, at=harness.clock.now())
    await harness.receive(envelope(messages_change(messages=[message], contacts=[contact(CUSTOMER, "Sheena")])))


async def approved_hello_world(harness: Harness) -> None:
    await harness.stores.templates.save(
        MessageTemplate(
            name="hello_world",
            language="en_US",
            category=TemplateCategory.UTILITY,
            components=[TemplateComponent(type="BODY", text="Hello World")],
            status=TemplateStatus.APPROVED,
            id="1001",
        )
    )


def text(body: str = "Your order shipped") -> SendCommand:
    return SendCommand(phone_number_id=NUMBER, to=CUSTOMER, content=Text(body=body))


async def test_free_form_text_inside_the_window_is_queued(harness: Harness) -> None:
    await customer_writes(harness)
    harness.clock.advance(timedelta(hours=23))

    result = await harness.send_message(text())

    assert result.message.status.status is MessageStatus.QUEUED
    assert await harness.stores.outbox.depth() == 1
    assert await harness.stores.messages.get(result.message.id) == result.message


async def test_free_form_text_outside_the_window_needs_a_template(harness: Harness) -> None:
    await customer_writes(harness)
    opened_at = harness.clock.now()
    harness.clock.advance(timedelta(hours=24, seconds=1))

    with pytest.raises(TemplateRequired) as refusal:
        await harness.send_message(text())

    assert refusal.value.closed_at == opened_at + timedelta(hours=24)
    assert "only template messages may be sent" in str(refusal.value)
    assert opened_at.isoformat() in str(refusal.value)
    assert await harness.stores.outbox.depth() == 0


async def test_free_form_text_to_a_customer_who_never_wrote_needs_a_template(harness: Harness) -> None:
    with pytest.raises(TemplateRequired, match="never written"):
        await harness.send_message(text())


async def test_an_approved_template_may_be_sent_outside_the_window(harness: Harness) -> None:
    await approved_hello_world(harness)

    result = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CUSTOMER, content=HELLO))

    assert result.message.business_initiated
    assert await harness.stores.outbox.depth() == 1


async def test_an_unknown_template_is_refused_before_meta_sees_it(harness: Harness) -> None:
    with pytest.raises(TemplateNotSendable, match="hello_world"):
        await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CUSTOMER, content=HELLO))


async def test_content_over_whatsapps_limits_is_refused(harness: Harness) -> None:
    await customer_writes(harness)

    with pytest.raises(InvalidContent, match="4096"):
        await harness.send_message(text("x" * 4097))


async def test_the_same_idempotency_key_returns_the_first_message_and_queues_nothing_twice(harness: Harness) -> None:
    await customer_writes(harness)
    command = SendCommand(phone_number_id=NUMBER, to=CUSTOMER, content=Text(body="Once"), idempotency_key="k-1")

    first = await harness.send_message(command)
    again = await harness.send_message(command)

    assert again.replayed and not first.replayed
    assert again.message.id == first.message.id
    assert await harness.stores.outbox.depth() == 1


async def test_a_reply_records_how_long_the_customer_waited(harness: Harness) -> None:
    await customer_writes(harness)
    harness.clock.advance(timedelta(minutes=7))

    result = await harness.send_message(text())

    assert result.message.response_seconds == 7 * 60


async def test_the_messaging_tier_refuses_new_business_initiated_recipients_once_spent() -> None:
    harness = Harness(tier=MessagingTier(limit=2))
    await approved_hello_world(harness)
    for number in ("16505550001", "16505550002"):
        await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(number), content=HELLO))

    with pytest.raises(MessagingLimitReached, match="2 unique business-initiated recipients"):
        await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId("16505550003"), content=HELLO))
    again = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId("16505550001"), content=HELLO))
    assert again.message.business_initiated
