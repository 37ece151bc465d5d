"""A number's limits hold for a fleet of dispatchers sharing one Firestore (the real emulator).

Each dispatcher has its own client, rate limiter and sending leases, as separate processes would; they
send to one recording Cloud API, whose log of call times is what Meta would count.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.clock import SystemClock
from adapters.firestore import FirestoreStores
from adapters.memory.clock import ManualClock
from adapters.memory.cloud_api import FakeCloudApi
from adapters.memory.live_events import InMemoryLiveEvents
from application.dispatch_outbound import DispatchOutbound
from application.ports import Clock, SendRequest
from application.rate_limiter import RateLimiter
from application.records import OutboxEntry
from domain.ids import CustomerId, Wamid
from domain.rate_limits import PairRateLimit, ThroughputLimit
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, message_id, outbound
from tests.firestore_emulator import PROJECT, firestore_emulator, firestore_stores

__all__ = ["firestore_emulator"]

PER_SECOND = 10
LEASE_TTL = timedelta(seconds=3)


class TimedCloudApi(FakeCloudApi):
    """Meta's view: when each call arrived (monotonic seconds), and for which message."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[float, str]] = []

    async def send(self, request: SendRequest) -> Wamid:
        self.calls.append((time.monotonic(), request.callback_data or ""))
        return await super().send(request)

    def most_in_one_second(self) -> int:
        times = sorted(at for at, _ in self.calls)
        return max((sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)), default=0)


@pytest.fixture
async def fleet() -> AsyncIterator[tuple[FirestoreStores, FirestoreStores]]:
    """Two processes' views of one database: their own clients and connections."""
    async with firestore_stores() as first:
        second = FirestoreStores(project=PROJECT)
        try:
            yield first, second
        finally:
            await second.close()


def dispatcher(stores: FirestoreStores, cloud_api: FakeCloudApi, holder: str, clock: Clock | None = None) -> DispatchOutbound:
    return DispatchOutbound(
        outbox=stores.outbox,
        messages=stores.messages,
        cloud_api=cloud_api,
        live_events=InMemoryLiveEvents(),
        clock=clock or SystemClock(),
        rate_limiter=RateLimiter(ThroughputLimit(per_second=PER_SECOND), PairRateLimit()),
        sending_leases=stores.sending_leases,
        holder=holder,
        lease_ttl=LEASE_TTL,
        lease=timedelta(seconds=5),
    )


async def queue(stores: FirestoreStores, count: int, clock: Clock | None = None) -> set[str]:
    """`count` messages to as many customers (the pair limit aside), due now."""
    at = (clock or SystemClock()).now()
    ids = set()
    for n in range(count):
        message = outbound(n, at=at, customer_id=CustomerId(f"1650555{n:04d}"))
        await stores.messages.add(message)
        await stores.outbox.enqueue(
            OutboxEntry(message_id=message.id, phone_number_id=message.phone_number_id, customer_id=message.customer_id, due_at=at)
        )
        ids.add(message.id)
    return ids


async def run_until(dispatch: DispatchOutbound, done: asyncio.Event) -> None:
    while not done.is_set():
        report = await dispatch()
        if not report.claimed:
            await asyncio.sleep(0.05)


async def drain(cloud_api: TimedCloudApi, expected: set[str], *dispatchers: DispatchOutbound) -> None:
    done = asyncio.Event()
    loops = [asyncio.create_task(run_until(d, done)) for d in dispatchers]
    try:
        async with asyncio.timeout(60):
            while not expected <= {message_id for _, message_id in cloud_api.calls}:
                await asyncio.sleep(0.05)
    finally:
        done.set()
        await asyncio.gather(*loops)


async def test_two_dispatchers_never_send_past_the_numbers_limit_together(fleet: tuple[FirestoreStores, FirestoreStores]) -> None:
    first, second = fleet
    cloud_api = TimedCloudApi()
    expected = await queue(first, 3 * PER_SECOND)

    await drain(cloud_api, expected, dispatcher(first, cloud_api, "a"), dispatcher(second, cloud_api, "b"))

    assert Counter(message_id for _, message_id in cloud_api.calls) == Counter(expected), "each message sent once"
    assert cloud_api.most_in_one_second() <= PER_SECOND


async def test_a_dead_holder_is_replaced_after_its_lease_and_the_limit_holds_across(
    fleet: tuple[FirestoreStores, FirestoreStores],
) -> None:
    first, second = fleet
    cloud_api = TimedCloudApi()
    expected = await queue(first, 3 * PER_SECOND)
    doomed = dispatcher(first, cloud_api, "a")
    while len(cloud_api.calls) < PER_SECOND:  # it dies between two steps, its lease neither renewed nor released
        await doomed()

    await drain(cloud_api, expected, dispatcher(second, cloud_api, "b"))

    assert Counter(message_id for _, message_id in cloud_api.calls) == Counter(expected)
    assert cloud_api.most_in_one_second() <= PER_SECOND
    [lease] = [s.to_dict() async for s in first._client.collection("sending_leases").stream()]
    assert lease["holder"] == "b"


async def test_a_holder_whose_lease_was_taken_sends_nothing(fleet: tuple[FirestoreStores, FirestoreStores]) -> None:
    """Its own clock says its lease still runs (it stalled, or its clock runs behind): the fence in the store
    says otherwise, before the call."""
    first, second = fleet
    cloud_api = TimedCloudApi()
    clock = ManualClock(MONDAY)
    stale = dispatcher(first, cloud_api, "a", clock)
    [sent] = await queue(first, 1, clock)
    assert (await stale()).sent == 1
    taken = await second.sending_leases.acquire(SHOP_NUMBER, "b", MONDAY + LEASE_TTL, LEASE_TTL, None)
    assert taken is not None
    await first.outbox.enqueue(
        OutboxEntry(message_id=message_id(7), phone_number_id=SHOP_NUMBER, customer_id=ALICE, due_at=MONDAY)
    )
    await first.messages.add(outbound(7))

    report = await stale()

    assert (report.sent, report.deferred) == (0, 1), "the entry went back to the outbox, for the holder"
    assert [message_id for _, message_id in cloud_api.calls] == [sent]
