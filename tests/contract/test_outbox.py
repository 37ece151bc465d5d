"""Outbox contract: due entries are claimed earliest first under a lease, then rescheduled or completed."""

from __future__ import annotations

import asyncio
from datetime import datetime

from application.ports import Outbox
from application.records import OutboxEntry
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, message_id, minutes

LEASE = minutes(5)


def queued(n: int, due_at: datetime = MONDAY) -> OutboxEntry:
    return OutboxEntry(message_id=message_id(n), phone_number_id=SHOP_NUMBER, customer_id=ALICE, due_at=due_at)


async def enqueue_all(outbox: Outbox, *entries: OutboxEntry) -> None:
    for entry in entries:
        await outbox.enqueue(entry)


async def claimed_ids(outbox: Outbox, now: datetime, limit: int = 10) -> list[str]:
    return [e.message_id for e in await outbox.claim(now, now + LEASE, limit)]


class TestClaim:
    async def test_only_due_entries_are_claimed(self, outbox: Outbox) -> None:
        await enqueue_all(outbox, queued(1, MONDAY), queued(2, MONDAY + minutes(1)))

        assert await claimed_ids(outbox, now=MONDAY) == [message_id(1)]

    async def test_the_earliest_due_comes_first_up_to_the_limit(self, outbox: Outbox) -> None:
        await enqueue_all(outbox, queued(1, MONDAY + minutes(2)), queued(2, MONDAY), queued(3, MONDAY + minutes(1)))

        assert await claimed_ids(outbox, now=MONDAY + minutes(3), limit=2) == [message_id(2), message_id(3)]

    async def test_claimed_entries_come_back_as_enqueued(self, outbox: Outbox) -> None:
        await outbox.enqueue(queued(1))

        assert await outbox.claim(MONDAY, MONDAY + LEASE, 10) == [queued(1)]

    async def test_a_leased_entry_is_hidden_until_the_lease_ends(self, outbox: Outbox) -> None:
        await outbox.enqueue(queued(1))
        await outbox.claim(MONDAY, MONDAY + LEASE, 10)

        assert await claimed_ids(outbox, now=MONDAY + LEASE - minutes(1)) == []
        assert await claimed_ids(outbox, now=MONDAY + LEASE) == [message_id(1)]

    async def test_concurrent_claims_never_share_an_entry(self, outbox: Outbox) -> None:
        await enqueue_all(outbox, *(queued(n) for n in range(6)))

        batches = await asyncio.gather(*(claimed_ids(outbox, now=MONDAY, limit=4) for _ in range(2)))

        claimed = [entry for batch in batches for entry in batch]
        assert sorted(claimed) == [message_id(n) for n in range(6)]


class TestRescheduleAndComplete:
    async def test_a_rescheduled_entry_is_due_again_later_with_its_attempt(self, outbox: Outbox) -> None:
        await outbox.enqueue(queued(1))
        await outbox.claim(MONDAY, MONDAY + LEASE, 10)

        await outbox.reschedule(message_id(1), MONDAY + minutes(1), attempt=1)

        assert await outbox.claim(MONDAY, MONDAY + LEASE, 10) == []
        retry = await outbox.claim(MONDAY + minutes(1), MONDAY + minutes(1) + LEASE, 10)
        assert [(e.message_id, e.due_at, e.attempt) for e in retry] == [(message_id(1), MONDAY + minutes(1), 1)]

    async def test_a_completed_entry_is_gone(self, outbox: Outbox) -> None:
        await enqueue_all(outbox, queued(1), queued(2))
        await outbox.claim(MONDAY, MONDAY + LEASE, 10)

        await outbox.complete(message_id(1))

        assert await outbox.depth() == 1
        assert await claimed_ids(outbox, now=MONDAY + LEASE) == [message_id(2)]

    async def test_depth_counts_waiting_and_leased_entries(self, outbox: Outbox) -> None:
        await enqueue_all(outbox, queued(1), queued(2), queued(3, MONDAY + minutes(9)))
        await outbox.claim(MONDAY, MONDAY + LEASE, 1)

        assert await outbox.depth() == 3
