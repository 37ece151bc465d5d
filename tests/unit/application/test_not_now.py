"""Meta's per-user marketing limit (131049) means "not now": a retry is refused until a day has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.retry_message import RetryMessage
from application.send_message import SendCommand
from domain.content import Text
from domain.errors import NotRetryable
from domain.ids import CustomerId, PhoneNumberId
from domain.meta_errors import failure_kind
from domain.status import MessageStatus
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change, status, text_message

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
PHONE = "16505551234"


def test_131049_is_not_now_while_undeliverable_is_permanent_and_throughput_retryable() -> None:
    assert [failure_kind(code) for code in (131049, 131026, 130429)] == ["not_now", "permanent", "retryable"]


async def test_a_message_meta_held_back_for_the_marketing_limit_is_retried_only_after_a_day(harness: Harness) -> None:
    writes = text_message(wamid="wamid.IN1", sender=PHONE, body="Any offers?", at=harness.clock.now())
    await harness.receive(envelope(messages_change(messages=[writes])))
    sent = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=CustomerId(PHONE), content=Text(body="Yes!")))
    await harness.dispatch()
    stored = await harness.stores.messages.get(sent.message.id)
    assert stored is not None and stored.wamid is not None
    limit = (131049, "This message was not delivered to maintain healthy ecosystem engagement.", "per-user limit")
    failed = status(wamid=stored.wamid, status="failed", at=harness.clock.now(), recipient=PHONE, error=limit)
    await harness.receive(envelope(messages_change(statuses=[failed])))
    retry = RetryMessage(messages=harness.stores.messages, send_message=harness.send_message, clock=harness.clock)

    with pytest.raises(NotRetryable, match="not now"):
        await retry(sent.message.id)

    harness.clock.advance(timedelta(hours=24, seconds=1).total_seconds())
    again = text_message(wamid="wamid.IN2", sender=PHONE, body="Still there?", at=harness.clock.now())
    await harness.receive(envelope(messages_change(messages=[again])))
    retried = await retry(sent.message.id)
    assert retried.message.retry_of == sent.message.id and retried.message.status.status is MessageStatus.QUEUED
