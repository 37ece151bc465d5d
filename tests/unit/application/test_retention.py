"""PruneRetained: applied POSTs and orphan parked statuses go after the retention, expired keys once expired,
each in bounded batches; nothing not yet applied is ever touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.memory import MemoryStores
from adapters.memory.clock import ManualClock
from application.records import ParkedStatus
from application.retention import PruneRetained
from domain.ids import MessageId, Wamid
from domain.status import MessageStatus, StatusEvent

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def pruning(stores: MemoryStores, clock: ManualClock, batch: int = 200) -> PruneRetained:
    return PruneRetained(
        inbox=stores.inbox,
        idempotency_keys=stores.idempotency_keys,
        messages=stores.messages,
        clock=clock,
        keep=WEEK,
        batch=batch,
    )


async def test_what_outlived_its_retention_goes_and_the_rest_stays() -> None:
    stores, clock = MemoryStores(), ManualClock(START)
    applied_long_ago = await stores.inbox.append(b"{}", START)
    await stores.inbox.mark_processed(applied_long_ago, START)
    never_applied = await stores.inbox.append(b"{}", START)
    await stores.idempotency_keys.claim("order-1", MessageId("msg_1"), expires_at=START + timedelta(days=1), now=START)
    await stores.messages.park_status(Wamid("wamid.ORPHAN"), ParkedStatus(event=StatusEvent(status=MessageStatus.SENT, at=START)))
    clock.advance(WEEK + timedelta(days=1))
    applied_today = await stores.inbox.append(b"{}", clock.now())
    await stores.inbox.mark_processed(applied_today, clock.now())
    prune = pruning(stores, clock)

    assert await prune() == 3
    assert await prune() == 0
    assert [event.id for event in await stores.inbox.unprocessed(10)] == [never_applied]
    assert await stores.inbox.prune_processed(clock.now() + timedelta(seconds=1), 10) == 1  # applied today was kept
    assert await stores.messages.take_parked_statuses(Wamid("wamid.ORPHAN")) == []


async def test_a_backlog_goes_in_batches_of_the_set_size() -> None:
    stores, clock = MemoryStores(), ManualClock(START)
    for _ in range(450):
        await stores.inbox.mark_processed(await stores.inbox.append(b"{}", START), START)
    clock.advance(WEEK * 2)
    prune = pruning(stores, clock, batch=200)

    assert [await prune() for _ in range(4)] == [200, 200, 50, 0]
