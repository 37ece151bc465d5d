"""SendingLeases contract: one holder per number at a time, taken over when it runs out, fenced by its token.

SQLite serves one dispatcher and keeps its leases in memory (the memory adapter), so the shared
adapters are the memory one (the reference) and Firestore's, which several processes share.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from application.ports import Stores
from application.records import NumberPacing, OutboxEntry
from domain.rate_limits import PairState, ThroughputState
from tests.contract.conftest import STORE_FACTORIES
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, message_id

TTL = timedelta(seconds=10)
PACING = NumberPacing(
    throughput=ThroughputState(sent_at=(MONDAY,)),
    pairs={ALICE: PairState(burst_started_at=MONDAY, burst_count=1, next_free_at=MONDAY + timedelta(seconds=6))},
)


@pytest.fixture(params=["memory", "firestore"])
async def shared(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    async with STORE_FACTORIES[request.param]() as fresh:
        yield fresh


async def test_one_holder_at_a_time_and_its_renewal_keeps_the_token(shared: Stores) -> None:
    leases = shared.sending_leases
    first = await leases.acquire(SHOP_NUMBER, "a", MONDAY, TTL, None)
    refused = await leases.acquire(SHOP_NUMBER, "b", MONDAY + timedelta(seconds=9), TTL, None)
    renewed = await leases.acquire(SHOP_NUMBER, "a", MONDAY + timedelta(seconds=5), TTL, PACING)

    assert first is not None and first.inherited is None and first.inherited_until is None
    assert refused is None
    assert renewed is not None and renewed.token == first.token
    assert renewed.expires_at == MONDAY + timedelta(seconds=15)


async def test_a_holder_that_stops_renewing_is_replaced_once_its_lease_runs_out(shared: Stores) -> None:
    leases = shared.sending_leases
    first = await leases.acquire(SHOP_NUMBER, "a", MONDAY, TTL, None)
    await leases.acquire(SHOP_NUMBER, "a", MONDAY + timedelta(seconds=5), TTL, PACING)
    still_running = await leases.acquire(SHOP_NUMBER, "b", MONDAY + timedelta(seconds=14), TTL, None)
    taken = await leases.acquire(SHOP_NUMBER, "b", MONDAY + timedelta(seconds=15), TTL, None)

    assert first is not None and still_running is None
    assert taken is not None and taken.holder == "b" and taken.token > first.token
    assert taken.inherited == PACING, "the dead holder's last saved pacing"
    assert taken.inherited_until == MONDAY + timedelta(seconds=15), "it may have sent up to its lease's end"


async def test_a_released_lease_is_taken_at_once_with_the_exact_pacing(shared: Stores) -> None:
    leases = shared.sending_leases
    first = await leases.acquire(SHOP_NUMBER, "a", MONDAY, TTL, None)
    assert first is not None
    await leases.release(first, MONDAY + timedelta(seconds=1), PACING)
    taken = await leases.acquire(SHOP_NUMBER, "b", MONDAY + timedelta(seconds=1), TTL, None)

    assert taken is not None and taken.inherited == PACING and taken.inherited_until is None


async def test_a_stale_holder_cannot_mark_a_call_and_the_current_one_can(shared: Stores) -> None:
    leases, outbox = shared.sending_leases, shared.outbox
    await outbox.enqueue(OutboxEntry(message_id=message_id(1), phone_number_id=SHOP_NUMBER, customer_id=ALICE, due_at=MONDAY))
    stale = await leases.acquire(SHOP_NUMBER, "a", MONDAY, TTL, None)
    current = await leases.acquire(SHOP_NUMBER, "b", MONDAY + TTL, TTL, None)
    assert stale is not None and current is not None
    later = MONDAY + TTL + timedelta(seconds=1)

    assert await outbox.calling(message_id(1), later, stale) is False
    assert [e.called_at for e in await outbox.claim(later, later + TTL, 10)] == [None], "nothing written"
    assert await outbox.calling(message_id(1), later, current) is True


async def test_a_lease_past_its_end_fences_its_own_holder_too(shared: Stores) -> None:
    leases, outbox = shared.sending_leases, shared.outbox
    await outbox.enqueue(OutboxEntry(message_id=message_id(1), phone_number_id=SHOP_NUMBER, customer_id=ALICE, due_at=MONDAY))
    lease = await leases.acquire(SHOP_NUMBER, "a", MONDAY, TTL, None)
    assert lease is not None

    assert await outbox.calling(message_id(1), MONDAY + TTL, lease) is False
