"""The 24-hour customer-service window and what a customer's or business's message does to a conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.analytics import QUIET_PERIOD
from domain.content import Template, TemplateLanguage, Text
from domain.conversations import (
    Conversation,
    CustomerServiceWindow,
    is_business_initiated,
    record_inbound,
    record_outbound,
    require_window_for,
    response_seconds,
)
from domain.customers import CustomerIdentity
from domain.errors import TemplateRequired
from domain.ids import CustomerId, PhoneNumberId, WaId, Wamid

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NUMBER = PhoneNumberId("106540352242922")
CUSTOMER = CustomerId("16505551234")
HELLO = Template(name="hello_world", language=TemplateLanguage(code="en_US"))


def inbound(
    conversation: Conversation | None = None, *, at: datetime = T0, wamid: str = "wamid.A", first_delivery: bool = True
) -> Conversation:
    return record_inbound(
        conversation, phone_number_id=NUMBER, customer_id=CUSTOMER, identity=CustomerIdentity(wa_id=WaId(CUSTOMER)), wamid=Wamid(wamid), at=at,
        preview="hi", customer_name="Sheena", first_delivery=first_delivery,
    )


def test_the_window_is_open_for_24_hours_after_the_customers_last_message() -> None:
    window = CustomerServiceWindow(last_inbound_at=T0)

    assert window.is_open(T0 + timedelta(hours=23, minutes=59, seconds=59))
    assert not window.is_open(T0 + timedelta(hours=24))


def test_outside_the_window_only_templates_may_be_sent_and_the_refusal_says_until_when_it_was_open() -> None:
    window = CustomerServiceWindow(last_inbound_at=T0)
    later = T0 + timedelta(hours=30)

    require_window_for(HELLO, window, later)
    with pytest.raises(TemplateRequired) as refusal:
        require_window_for(Text(body="hi"), window, later)

    assert refusal.value.closed_at == T0 + timedelta(hours=24)
    assert (T0 + timedelta(hours=24)).isoformat() in str(refusal.value)


def test_a_template_outside_the_window_is_business_initiated_inside_it_is_not() -> None:
    window = CustomerServiceWindow(last_inbound_at=T0)

    assert not is_business_initiated(HELLO, window, T0 + timedelta(hours=1))
    assert is_business_initiated(HELLO, window, T0 + timedelta(hours=25))


def test_a_late_older_message_never_shortens_the_window() -> None:
    conversation = inbound(at=T0 + timedelta(hours=5), wamid="wamid.NEW")

    conversation = inbound(conversation, at=T0, wamid="wamid.OLD")

    assert conversation.window.last_inbound_at == T0 + timedelta(hours=5)
    assert conversation.last_inbound_wamid == "wamid.NEW"


def test_a_redelivered_message_does_not_count_as_unread_twice() -> None:
    conversation = inbound(inbound(), first_delivery=False)

    assert conversation.unread_count == 1


def test_a_reply_measures_the_wait_since_the_first_unanswered_message_and_clears_it() -> None:
    conversation = inbound(inbound(at=T0), at=T0 + timedelta(minutes=3), wamid="wamid.B")

    assert response_seconds(conversation, T0 + timedelta(minutes=10)) == 600
    answered = record_outbound(conversation, phone_number_id=NUMBER, customer_id=CUSTOMER, identity=CustomerIdentity(), at=T0 + timedelta(minutes=10), preview="ok")
    assert response_seconds(answered, T0 + timedelta(minutes=11)) is None


def reply(conversation: Conversation, at: datetime) -> Conversation:
    return record_outbound(conversation, phone_number_id=NUMBER, customer_id=CUSTOMER, identity=CustomerIdentity(), at=at, preview="Sure")


def test_in_a_live_back_and_forth_a_reply_is_not_a_first_response() -> None:
    answered = reply(inbound(at=T0), T0 + timedelta(minutes=2))

    follow_up = inbound(answered, at=T0 + QUIET_PERIOD - timedelta(minutes=1), wamid="wamid.B")

    assert follow_up.awaiting_reply_since is not None
    assert response_seconds(follow_up, T0 + QUIET_PERIOD) is None


def test_a_message_after_the_quiet_period_opens_a_new_request_whose_reply_is_timed() -> None:
    answered = reply(inbound(at=T0), T0 + timedelta(minutes=2))
    later = T0 + timedelta(minutes=2) + QUIET_PERIOD

    new_request = inbound(answered, at=later, wamid="wamid.C")

    assert response_seconds(new_request, later + timedelta(seconds=45)) == 45


def test_a_window_closing_within_two_hours_with_the_last_message_unanswered_is_about_to_be_lost() -> None:
    waiting = inbound(at=T0)

    assert not waiting.is_closing_unanswered(T0 + timedelta(hours=21, minutes=59))
    assert waiting.is_closing_unanswered(T0 + timedelta(hours=22))
    assert waiting.is_closing_unanswered(T0 + timedelta(hours=23, minutes=59))
    assert not waiting.is_closing_unanswered(T0 + timedelta(hours=24))
    assert not reply(waiting, T0 + timedelta(hours=1)).is_closing_unanswered(T0 + timedelta(hours=23))
