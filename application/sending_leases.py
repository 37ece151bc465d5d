"""Sending leases: one dispatcher of the fleet paces each business number, so Meta's limits hold for all of them.

Meta counts a number's messages per second and a recipient's messages per 6 s over every process that
sends from it. Rather than share a token per send (a write per message on one document, far past what a
document takes at 1,000 sends/s), the number itself is leased: its holder paces it alone, from its own
memory (application/rate_limiter.py), and saves that memory with each renewal so the next holder carries on.

- A lease runs `ttl` from its last renewal; its holder renews it once half of it is gone, and stops
  sending `guard` before it runs out by its own clock, so a successor on a clock up to `guard` ahead
  never overlaps it.
- A new holder gets a new fencing token. The dispatcher marks each entry `calling` with its lease before
  the call to Meta, and that mark is refused for a token that is no longer current: a holder that
  stalled past its lease (a pause, a partition) learns so before it sends, not after.
- A holder that stops releases its numbers with its exact pacing: the next holder carries on at once.
  One that died leaves the pacing of its last renewal; the next holder, once the lease ran out, counts
  the number's whole throughput as spent at that moment, so nothing the dead holder sent after its last
  save can add to a second of the new holder's sends. Recipients it messaged since that save are the
  one thing not known (docs/scaling.md says what follows).

The decisions on a stored lease are here once, for every adapter.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from datetime import datetime, timedelta

import msgspec

from application.ports import Clock, SendingLeases
from application.rate_limiter import RateLimiter
from application.records import NumberPacing, SendingLease
from domain.ids import PhoneNumberId

LEASE_TTL = timedelta(seconds=10)
LEASE_GUARD = timedelta(seconds=2)
"""Stop sending this long before the lease ends: covers clock skew between processes and a call's start."""
HELD_ELSEWHERE_RETRY = timedelta(seconds=1)
"""How long a dispatcher leaves a number another holds before asking for its lease again."""


class LeaseRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A number's lease as stored: who holds it, until when, and the pacing they last saved."""

    holder: str
    token: int
    expires_at: datetime
    released: bool = False
    pacing: NumberPacing | None = None


def grant(
    record: LeaseRecord | None,
    phone_number_id: PhoneNumberId,
    holder: str,
    now: datetime,
    ttl: timedelta,
    pacing: NumberPacing | None,
) -> tuple[LeaseRecord, SendingLease] | None:
    """What `acquire` stores and answers: a renewal for the current holder, a new lease over a free or
    run-out one, or None while another holder's lease runs."""
    expires_at = now + ttl
    if record is not None and not record.released and now < record.expires_at:
        if record.holder != holder:
            return None
        renewed = msgspec.structs.replace(record, expires_at=expires_at, pacing=pacing or record.pacing)
        return renewed, _lease(phone_number_id, renewed)
    token = 1 if record is None else record.token + 1
    taken = LeaseRecord(holder=holder, token=token, expires_at=expires_at, pacing=pacing)
    if record is None:
        return taken, _lease(phone_number_id, taken)
    inherited_until = None if record.released else record.expires_at
    lease = _lease(phone_number_id, taken, inherited=record.pacing, inherited_until=inherited_until)
    return msgspec.structs.replace(taken, pacing=pacing or record.pacing), lease


def released(record: LeaseRecord | None, lease: SendingLease, now: datetime, pacing: NumberPacing) -> LeaseRecord | None:
    """The record after `lease` is given back; None when it is no longer the current lease (nothing to give back)."""
    if not holds(record, lease, now):
        return None
    assert record is not None
    return msgspec.structs.replace(record, expires_at=now, released=True, pacing=pacing)


def holds(record: LeaseRecord | None, lease: SendingLease, at: datetime) -> bool:
    """Whether `lease` is the number's current one at `at`: the fence every send passes."""
    return record is not None and record.token == lease.token and not record.released and at < record.expires_at


def _lease(
    phone_number_id: PhoneNumberId,
    record: LeaseRecord,
    inherited: NumberPacing | None = None,
    inherited_until: datetime | None = None,
) -> SendingLease:
    return SendingLease(
        phone_number_id=phone_number_id,
        holder=record.holder,
        token=record.token,
        expires_at=record.expires_at,
        inherited=inherited,
        inherited_until=inherited_until,
    )


def holder_name() -> str:
    """Unique per process and start: a restarted process never takes itself for the holder it was."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeasedNumbers:
    """The dispatcher's side: the numbers this process holds, renewed as sends need them."""

    def __init__(
        self,
        leases: SendingLeases,
        limiter: RateLimiter,
        clock: Clock,
        holder: str,
        ttl: timedelta = LEASE_TTL,
        guard: timedelta = LEASE_GUARD,
    ) -> None:
        self._leases = leases
        self._limiter = limiter
        self._clock = clock
        self._holder = holder
        self._ttl = ttl
        self._guard = guard
        self._held: dict[PhoneNumberId, SendingLease] = {}
        self._elsewhere: dict[PhoneNumberId, datetime] = {}
        self._renewing: dict[PhoneNumberId, asyncio.Lock] = {}

    async def hold(self, phone_number_id: PhoneNumberId) -> SendingLease | None:
        """The number's lease, renewed when half of it is gone; None while another dispatcher holds it."""
        lease = self._fresh(phone_number_id, self._clock.now())
        if lease is not None:
            return lease
        async with self._renewing.setdefault(phone_number_id, asyncio.Lock()):
            now = self._clock.now()
            lease = self._fresh(phone_number_id, now)
            if lease is not None:
                return lease
            if now < self._elsewhere.get(phone_number_id, now):
                return None
            held = self._held.get(phone_number_id)
            pacing = self._limiter.pacing(phone_number_id, now) if held is not None else None
            fresh = await self._leases.acquire(phone_number_id, self._holder, now, self._ttl, pacing)
            if fresh is None:
                self.lost(phone_number_id)
                self._elsewhere[phone_number_id] = now + HELD_ELSEWHERE_RETRY
                return None
            if held is None or held.token != fresh.token:
                self._limiter.resume(phone_number_id, fresh.inherited, fresh.inherited_until)
            self._held[phone_number_id] = fresh
            return fresh

    def sendable(self, lease: SendingLease, now: datetime) -> bool:
        """Whether a call may begin now under `lease`: still ours, and not within `guard` of its end."""
        return self._held.get(lease.phone_number_id) == lease and now < lease.expires_at - self._guard

    def lost(self, phone_number_id: PhoneNumberId) -> None:
        """The lease went to another holder (a refused `calling`): forget it, and its pacing with it."""
        if self._held.pop(phone_number_id, None) is not None:
            self._limiter.forget(phone_number_id)

    async def release_all(self) -> None:
        """On a clean stop: the next holders carry on from this process's exact pacing, without waiting."""
        now = self._clock.now()
        for number, lease in list(self._held.items()):
            await self._leases.release(lease, now, self._limiter.pacing(number, now))
            self.lost(number)

    def _fresh(self, phone_number_id: PhoneNumberId, now: datetime) -> SendingLease | None:
        lease = self._held.get(phone_number_id)
        if lease is not None and now < lease.expires_at - self._ttl / 2:
            return lease
        return None
