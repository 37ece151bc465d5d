"""A send whose outcome a crash left unknown is held, matched by the status Meta reports, or sent again later.

The crash: Meta accepts the call (the fake counts it), and the process dies before the answer
comes back, so the wamid is never recorded. The restarted dispatcher finds the entry's call begun
and unrecorded once its lease ends.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import timedelta

from application.ports import SendRequest
from domain.ids import Wamid
from domain.meta_errors import CloudApiError
from domain.status import MessageStatus
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import envelope, messages_change, status
from tests.unit.application.test_dispatch_outbound import CUSTOMER, queued_text

LEASE_ENDED = timedelta(seconds=61)
WAIT_ENDED = timedelta(minutes=10, seconds=1)


async def crash_after_meta_accepted(harness: Harness) -> str:
    message_id = await queued_text(harness)
    accepted = asyncio.Event()
    answer_meta_gave = harness.cloud_api.send

    async def accepted_then_never_answered(request: SendRequest) -> Wamid:
        await answer_meta_gave(request)
        accepted.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    harness.cloud_api.send = accepted_then_never_answered  # type: ignore[method-assign]
    step = asyncio.create_task(harness.dispatch())
    await accepted.wait()
    step.cancel()
    with suppress(asyncio.CancelledError):
        await step
    harness.cloud_api.send = answer_meta_gave  # type: ignore[method-assign]
    harness.clock.advance(LEASE_ENDED.total_seconds())
    return message_id


async def test_a_send_whose_outcome_is_unknown_is_held_in_state_unknown(harness: Harness) -> None:
    message_id = await crash_after_meta_accepted(harness)

    report = await harness.dispatch()

    assert (report.unknown, report.sent, len(harness.cloud_api.sent)) == (1, 0, 1)
    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.status.status is MessageStatus.UNKNOWN and stored.wamid is None
    assert (await harness.dispatch()).claimed == 0, "held until the wait ends"


async def test_a_status_naming_it_gives_it_metas_wamid_and_it_is_never_sent_again(harness: Harness) -> None:
    message_id = await crash_after_meta_accepted(harness)
    await harness.dispatch()
    [at_meta] = harness.cloud_api.sent
    sent = status(wamid="wamid.FAKE1", status="sent", at=harness.clock.now(), recipient=CUSTOMER, callback_data=message_id)

    await harness.receive(envelope(messages_change(statuses=[sent])))
    harness.clock.advance(WAIT_ENDED.total_seconds())
    report = await harness.dispatch()

    assert report.dropped == 1 and harness.cloud_api.sent == [at_meta]
    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and (stored.status.status, stored.wamid) == (MessageStatus.SENT, "wamid.FAKE1")
    assert not stored.resent_after_unknown
    assert await harness.stores.outbox.depth() == 0


async def test_with_no_status_within_the_wait_it_is_sent_again_and_says_so(harness: Harness) -> None:
    message_id = await crash_after_meta_accepted(harness)
    await harness.dispatch()

    harness.clock.advance(WAIT_ENDED.total_seconds())
    report = await harness.dispatch()

    assert report.sent == 1 and len(harness.cloud_api.sent) == 2
    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.resent_after_unknown
    assert (stored.status.status, stored.wamid) == (MessageStatus.ACCEPTED, "wamid.FAKE2")
    assert MessageStatus.UNKNOWN in stored.status.reached_at


async def test_an_answer_lost_after_the_request_left_is_an_unknown_outcome_not_a_retry(harness: Harness) -> None:
    message_id = await queued_text(harness)
    harness.cloud_api.fail_next(CloudApiError(-1, "No answer from the Graph API", transient=True, outcome_unknown=True))

    report = await harness.dispatch()
    harness.clock.advance(timedelta(seconds=30).total_seconds())
    too_soon = await harness.dispatch()

    assert (report.unknown, report.retried, too_soon.claimed) == (1, 0, 0)
    stored = await harness.stores.messages.get(message_id)
    assert stored is not None and stored.status.status is MessageStatus.UNKNOWN
