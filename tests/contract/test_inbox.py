"""Inbox contract: raw webhook bodies kept as received, replayed oldest first until marked processed."""

from __future__ import annotations

from application.ports import Inbox
from application.records import InboxFailure, QuarantinedPost
from tests.contract.examples import MONDAY, minutes

STATUS_POST = b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}'
MESSAGE_POST = b'{"object":"whatsapp_business_account","entry":[{"id":"2","changes":[]}]}'


async def test_appended_events_are_unprocessed_oldest_first_with_their_bytes(inbox: Inbox) -> None:
    later = await inbox.append(MESSAGE_POST, MONDAY + minutes(1))
    earlier = await inbox.append(STATUS_POST, MONDAY)

    waiting = await inbox.unprocessed(limit=10)

    assert [(e.id, e.untrusted_body, e.received_at) for e in waiting] == [
        (earlier, STATUS_POST, MONDAY), (later, MESSAGE_POST, MONDAY + minutes(1)),
    ]


async def test_each_append_gets_its_own_id_even_for_identical_bodies(inbox: Inbox) -> None:
    first = await inbox.append(STATUS_POST, MONDAY)
    second = await inbox.append(STATUS_POST, MONDAY)

    assert first != second


async def test_unprocessed_returns_at_most_the_limit(inbox: Inbox) -> None:
    ids = [await inbox.append(STATUS_POST, MONDAY + minutes(n)) for n in range(3)]

    assert [e.id for e in await inbox.unprocessed(limit=2)] == ids[:2]


async def test_processed_events_are_not_replayed(inbox: Inbox) -> None:
    done = await inbox.append(STATUS_POST, MONDAY)
    pending = await inbox.append(MESSAGE_POST, MONDAY + minutes(1))

    await inbox.mark_processed(done, MONDAY + minutes(2))

    assert [e.id for e in await inbox.unprocessed(limit=10)] == [pending]


async def test_a_failed_event_waits_for_its_retry_time_and_counts_its_attempts(inbox: Inbox) -> None:
    failing = await inbox.append(STATUS_POST, MONDAY)
    other = await inbox.append(MESSAGE_POST, MONDAY + minutes(1))

    await inbox.failed(failing, InboxFailure(attempts=1, error="boom", at=MONDAY + minutes(2), retry_at=MONDAY + minutes(5)))

    assert [e.id for e in await inbox.unprocessed(limit=10, due_by=MONDAY + minutes(4))] == [other]
    due = await inbox.unprocessed(limit=10, due_by=MONDAY + minutes(5))
    assert [(e.id, e.attempts) for e in due] == [(failing, 1), (other, 0)]
    assert [e.id for e in await inbox.unprocessed(limit=10)] == [failing, other]


async def test_a_quarantined_event_is_listed_with_its_error_until_it_is_processed(inbox: Inbox) -> None:
    event_id = await inbox.append(STATUS_POST, MONDAY)
    error = "Traceback (most recent call last):\n  ...\nRuntimeError: boom\n"

    await inbox.failed(event_id, InboxFailure(attempts=5, error=error, at=MONDAY + minutes(3), retry_at=None))

    assert await inbox.unprocessed(limit=10) == []
    assert await inbox.quarantined(limit=10) == [
        QuarantinedPost(
            id=event_id, received_at=MONDAY, attempts=5, error=error, quarantined_at=MONDAY + minutes(3), size=len(STATUS_POST)
        )
    ]
    stored = await inbox.get(event_id)
    assert stored is not None and (stored.untrusted_body, stored.attempts) == (STATUS_POST, 5)

    await inbox.mark_processed(event_id, MONDAY + minutes(9))

    assert await inbox.quarantined(limit=10) == [] and await inbox.unprocessed(limit=10) == []


async def test_an_unknown_id_is_not_found(inbox: Inbox) -> None:
    assert await inbox.get("evt_000000000042") is None
async def test_pruning_deletes_posts_applied_before_the_cutoff_oldest_first_and_never_an_unapplied_one(
    inbox: Inbox,
) -> None:
    old, older, recent, waiting = [await inbox.append(STATUS_POST, MONDAY + minutes(n)) for n in range(4)]
    await inbox.mark_processed(older, MONDAY + minutes(5))
    await inbox.mark_processed(old, MONDAY + minutes(6))
    await inbox.mark_processed(recent, MONDAY + minutes(60))

    first = await inbox.prune_processed(MONDAY + minutes(30), limit=1)
    rest = await inbox.prune_processed(MONDAY + minutes(30), limit=10)
    again = await inbox.prune_processed(MONDAY + minutes(30), limit=10)

    assert (first, rest, again) == (1, 1, 0)
    assert [e.id for e in await inbox.unprocessed(limit=10)] == [waiting]
    await inbox.mark_processed(recent, MONDAY + minutes(61))  # still there: marking it again changes nothing
    assert await inbox.prune_processed(MONDAY + minutes(90), limit=10) == 1
