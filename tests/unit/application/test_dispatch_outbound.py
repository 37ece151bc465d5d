"""Dispatching: queued messages reach Meta within its limits; Meta's errors are retried or recorded."""

from __future__ import annotations

from datetime import timedelta

from application.records import OutboxEntry
from application.send_message import SendCommand
from domain.content import Text
from domain.ids import CustomerId, PhoneNumberId, WaId, new_message_id
from domain.meta_errors import CloudApiError
from domain.status import MessageStatus
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change, status, text_message

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
CUSTOMER = CustomerId("16505551234")


async def queued_text(harness: Harness, to: CustomerId = CUSTOMER, body: str = "Your order shipped") -> str:
    inbound = text_message(wamid=f"wamid.IN{to}{body}", sender=to, body="Hi", at=harness.clock.now())
    await harness.receive(envelope(messages_change(messages=[inbound])))
    result = await harness.send_message(SendCommand(phone_number_id=NUMBER, to=to, content=Text(body=body)))
    return result.message.id


async def test_a_queued_message_is_sent_with_our_id_as_callback_data_and_its_wamid_recorded(harness: Harness) -> None:
    message_id = await queued_text(harness)

    report = await harness.dispatch()

    assert report.sent == 1
    [request] = harness.cloud_api.sent
    assert request.callback_data == message_id and request.to == WaId(CUSTOMER)
    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.wamid == "wamid.FAKE1"
    assert stored.status.status is MessageStatus.ACCEPTED
    assert await harness.stores.outbox.depth() == 0


async def test_a_retryable_error_is_retried_after_a_backoff_then_succeeds(harness: Harness) -> None:
    message_id = await queued_text(harness)
    harness.cloud_api.fail_next(CloudApiError(131000, "Something went wrong", http_status=500))

    first = await harness.dispatch()
    too_soon = await harness.dispatch()
    harness.clock.advance(timedelta(seconds=1))
    second = await harness.dispatch()

    assert (first.retried, too_soon.claimed, second.sent) == (1, 0, 1)
    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.status.status is MessageStatus.ACCEPTED


async def test_a_permanent_error_is_recorded_with_metas_code_and_not_retried(harness: Harness) -> None:
    message_id = await queued_text(harness)
    harness.cloud_api.fail_next(
        CloudApiError(131026, "Message undeliverable", details="Recipient is not a WhatsApp user", http_status=400)
    )

    report = await harness.dispatch()

    assert report.failed == 1
    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.status.status is MessageStatus.FAILED
    assert stored.status.failure is not None
    assert (stored.status.failure.code, stored.status.failure.details) == (131026, "Recipient is not a WhatsApp user")
    assert await harness.stores.outbox.depth() == 0


async def test_retries_stop_after_the_last_attempt_and_the_failure_is_kept(harness: Harness) -> None:
    message_id = await queued_text(harness)
    harness.cloud_api.fail_next(CloudApiError(130429, "Rate limit hit"), times=3)

    for _ in range(3):
        await harness.dispatch()
        harness.clock.advance(timedelta(minutes=10))

    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.status.failure is not None
    assert stored.status.failure.code == 130429
    assert harness.cloud_api.sent == []


async def test_a_second_message_to_the_same_customer_waits_for_the_pair_limit_after_a_burst(harness: Harness) -> None:
    for n in range(46):
        await queued_text(harness, body=f"update {n}")

    while (await harness.dispatch()).claimed:
        pass

    assert len(harness.cloud_api.sent) == 45
    assert await harness.stores.outbox.depth() == 1


async def test_a_status_that_arrived_before_the_send_was_recorded_is_applied_afterwards(harness: Harness) -> None:
    message_id = await queued_text(harness)
    delivered = status(wamid="wamid.FAKE1", status="delivered", at=harness.clock.now(), recipient=CUSTOMER)
    await harness.receive(envelope(messages_change(statuses=[delivered])))

    await harness.dispatch()

    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.status.status is MessageStatus.DELIVERED


async def test_an_outbox_entry_whose_message_was_never_stored_is_dropped_after_the_grace(harness: Harness) -> None:
    await harness.stores.outbox.enqueue(
        OutboxEntry(message_id=new_message_id(), phone_number_id=NUMBER, customer_id=CUSTOMER, due_at=harness.clock.now())
    )

    waiting = await harness.dispatch()
    harness.clock.advance(timedelta(minutes=1))
    dropped = await harness.dispatch()

    assert (waiting.deferred, dropped.dropped) == (1, 1)
    assert await harness.stores.outbox.depth() == 0
    assert harness.cloud_api.sent == []


async def test_only_what_the_throughput_will_allow_soon_is_claimed_and_the_backlog_stays_queued(harness: Harness) -> None:
    for n in range(100):
        await queued_text(harness, to=CustomerId(f"1650555{n:04d}"))

    report = await harness.dispatch()

    assert 0 < report.claimed == report.sent < 80
    assert await harness.stores.outbox.depth() == 100 - report.sent


async def test_a_backlog_goes_out_evenly_and_never_more_than_the_throughput_in_any_second(harness: Harness) -> None:
    """The worker's protocol: claim, wait `room_in` when there is no room, send the claim."""
    ids = [await queued_text(harness, to=CustomerId(f"1650555{n:04d}")) for n in range(200)]
    start = harness.clock.now()

    while await harness.stores.outbox.depth():
        claimed = await harness.dispatch.claim()
        if claimed.room_in is not None:
            harness.clock.advance(claimed.room_in)
        await harness.dispatch.send(claimed)

    sent_at = []
    for message_id in ids:
        stored = await harness.stores.messages.get(message_id)
        assert stored is not None and stored.status.status is MessageStatus.ACCEPTED
        accepted = stored.status.at(MessageStatus.ACCEPTED)
        assert accepted is not None
        sent_at.append(accepted)
    sent_at.sort()
    assert all(sent_at[k] - sent_at[k - 80] > timedelta(seconds=1) for k in range(80, 200))
    assert sent_at[-1] - start < timedelta(seconds=2.6)


async def test_a_message_waits_in_memory_for_the_next_token_rather_than_being_rescheduled(harness: Harness) -> None:
    for n in range(3):
        await queued_text(harness, to=CustomerId(f"1650555{n:04d}"))
    start = harness.clock.now()

    report = await harness.dispatch()

    assert (report.claimed, report.sent, report.deferred) == (3, 3, 1)
    assert harness.clock.now() > start
    assert len(report.send_seconds) == 3 and len(report.waited_seconds) == 1 and report.waited_seconds[0] > 0
