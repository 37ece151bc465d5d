"""DispatchOutbound: one step of the dispatcher that turns queued messages into Cloud API calls.

Rate limits are held here, before Meta sees a request, so a burst of sends becomes a steady
stream at the number's throughput instead of a storm of 130429/131056 failures.

A step is two halves, which the worker overlaps (`claim`, then `send` running beside later claims):

- `claim` leases only as many due entries as the numbers' throughput will have room for within
  `lead` (less those claimed and not yet sent), so a backlog stays in the outbox, untouched, instead
  of being claimed and rescheduled over and over; with no room it says when to ask again.
- `send` loads the messages, then takes each one's token as its Cloud API call begins (the limiter
  logs each send at a moment just after its call began, so no 1-second window of calls ever holds
  more than the limit). A message whose number has no token yet waits in memory, in claim
  order, until the next token comes back (at most 1 s, well within the lease); one held back by the
  pair limit is rescheduled in the outbox for when its recipient may be messaged again.

Only the holder of a number's sending lease sends from it (application/sending_leases.py), so the
limits hold for every dispatcher of a fleet together; an entry of a number another dispatcher holds is
left in the outbox for it, a little later.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import msgspec

from application.live import message_event
from application.ports import Clock, CloudApi, LiveEvents, MessageStore, Outbox, SendingLeases, SendRequest
from application.rate_limiter import RateLimiter
from application.records import OutboxEntry, ParkedStatus
from application.sending_leases import HELD_ELSEWHERE_RETRY, LEASE_TTL, LeasedNumbers, holder_name
from domain.content import is_outbound
from domain.ids import PhoneNumberId, Wamid
from domain.messages import Message, with_status
from domain.meta_errors import CloudApiError
from domain.retry import RetryPolicy
from domain.status import Failure, MessageStatus, StatusEvent

ORPHAN_GRACE = timedelta(seconds=30)
"""An outbox entry is written just before its message; one still without a message this long after
it fell due belongs to a send that crashed before it was accepted, and is dropped."""


class DispatchReport(msgspec.Struct, kw_only=True):
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    """Entries that waited for a rate limit: in memory for a token, or rescheduled (pair limit, orphan)."""
    dropped: int = 0
    unknown: int = 0
    """Sends whose call's outcome is unknown (a crash, a lost answer): held for a status of Meta's naming them."""
    send_seconds: list[float] = msgspec.field(default_factory=list)
    """Each Cloud API send call, from its start to Meta's answer (accepted or refused)."""
    waited_seconds: list[float] = msgspec.field(default_factory=list)
    """Each in-memory wait for the number's throughput, from the first refusal to the token."""


class Claimed(msgspec.Struct, frozen=True, kw_only=True):
    entries: tuple[OutboxEntry, ...] = ()
    room_in: timedelta | None = None
    """Nothing claimed for want of room: when to ask again (None when there was room but nothing due)."""


class DispatchOutbound:
    def __init__(
        self,
        *,
        outbox: Outbox,
        messages: MessageStore,
        cloud_api: CloudApi,
        live_events: LiveEvents,
        clock: Clock,
        rate_limiter: RateLimiter,
        sending_leases: SendingLeases,
        holder: str | None = None,
        lease_ttl: timedelta = LEASE_TTL,
        retry: RetryPolicy = RetryPolicy(),
        batch_size: int = 100,
        lease: timedelta = timedelta(seconds=60),
        unknown_wait: timedelta = timedelta(minutes=10),
        lead: timedelta = timedelta(milliseconds=200),
        jitter: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._outbox = outbox
        self._messages = messages
        self._cloud_api = cloud_api
        self._live = live_events
        self._clock = clock
        self._limiter = rate_limiter
        self._numbers = LeasedNumbers(sending_leases, rate_limiter, clock, holder or holder_name(), lease_ttl)
        self._retry = retry
        self._batch_size = batch_size
        self._lease = lease
        self._unknown_wait = unknown_wait
        self._lead = lead
        self._jitter = jitter
        self._sleep = sleep
        self._holding = 0
        """Entries claimed and not yet sent, rescheduled or finished: room already promised."""
        self._gates: dict[PhoneNumberId, asyncio.Lock] = {}
        self._claims_paused_until: datetime | None = None

    async def __call__(self) -> DispatchReport:
        """A whole step: claim, send within the limits, record; returns once every claimed entry is settled."""
        return await self.send(await self.claim())

    async def claim(self) -> Claimed:
        now = self._clock.now()
        if self._claims_paused_until is not None and now < self._claims_paused_until:
            return Claimed(room_in=self._claims_paused_until - now)
        room = min(self._batch_size, self._limiter.room(now, self._lead) - self._holding)
        if room <= 0:  # claims are made `lead` ahead of their tokens, so asking again within it is soon enough
            return Claimed(room_in=self._lead / 4)
        self._holding += room
        try:
            entries = await self._outbox.claim(now, now + self._lease, room)
        except BaseException:
            self._holding -= room
            raise
        self._holding -= room - len(entries)
        return Claimed(entries=tuple(entries))

    async def send(self, claimed: Claimed) -> DispatchReport:
        report = DispatchReport(claimed=len(claimed.entries))
        for outcome in await asyncio.gather(*(self._dispatch(entry, report) for entry in claimed.entries)):
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    async def _dispatch(self, entry: OutboxEntry, report: DispatchReport) -> str:
        try:  # the entry holds room promised at its claim until its token is taken, or it is settled otherwise
            message = await self._messages.get(entry.message_id)
            if message is None:
                return await self._orphan(entry)
            if message.status.status not in _SENDABLE:
                await self._outbox.complete(entry.message_id)
                return "dropped"
            if entry.called_at is not None:
                return await self._outcome_unknown(entry, message, entry.called_at)
            lease = await self._numbers.hold(entry.phone_number_id)
            if lease is None or not await self._outbox.calling(entry.message_id, self._clock.now(), lease):
                return await self._held_elsewhere(entry)
            async with self._gates.setdefault(entry.phone_number_id, asyncio.Lock()):
                wait_until = await self._token(entry, report)
                if wait_until is None and not self._numbers.sendable(lease, self._clock.now()):
                    wait_until = self._clock.now()  # the lease is about to end: the next claim renews it first
                if wait_until is None:
                    called_at = self._clock.now()
                    sending = await self._call(entry, message)
        finally:
            self._holding -= 1
        if wait_until is not None:
            await self._outbox.reschedule(entry.message_id, wait_until, entry.attempt)
            return "deferred"
        try:
            wamid = await sending
        except CloudApiError as error:
            report.send_seconds.append((self._clock.now() - called_at).total_seconds())
            if error.outcome_unknown:
                return await self._outcome_unknown(entry, message, called_at)
            return await self._attempt_failed(entry, error)
        report.send_seconds.append((self._clock.now() - called_at).total_seconds())
        await self._accepted(message, wamid)
        return "sent"

    async def _outcome_unknown(self, entry: OutboxEntry, message: Message, called_at: datetime) -> str:
        """A call began and its outcome is unknown: the process died around it (the lease ended with
        nothing recorded), or the answer was lost (a timeout, a connection dropped after sending).

        Meta may have accepted it, so it is not sent again blindly. Our id travels in
        biz_opaque_callback_data, so a status webhook naming it gives the message its wamid and
        moves it on (it is then dropped here, never re-sent); only when none came within
        `unknown_wait` is it sent again, and the message says so.
        """
        unknown = StatusEvent(status=MessageStatus.UNKNOWN, at=called_at)
        if message.status.status is not MessageStatus.UNKNOWN:
            await self._update(message, lambda m: with_status(m, unknown))
        await self._outbox.reschedule(entry.message_id, self._clock.now() + self._unknown_wait, entry.attempt)
        return "unknown"

    async def _call(self, entry: OutboxEntry, message: Message) -> asyncio.Future[Wamid]:
        """Begin the Cloud API call, then record the send at a moment after it began.

        Every token is so held from no earlier than its call: no 1-second window of calls ever holds
        more than the limit, whatever runs between the limiter's reading of the clock and the call
        (another thread holding the GIL, a garbage collection).
        """
        sending = asyncio.ensure_future(self._cloud_api.send(_request(message)))
        try:
            await asyncio.sleep(0)  # the call's task was scheduled first: it has begun when this resumes
        except asyncio.CancelledError:
            sending.cancel()
            raise
        self._limiter.record(entry.phone_number_id, entry.customer_id, self._clock.now())
        return sending

    async def _token(self, entry: OutboxEntry, report: DispatchReport) -> datetime | None:
        """None once the limits allow the send now, else when to try again.

        A wait for the number's throughput is spent here, holding the number's gate so the next
        token goes to the entry claimed first; a wait for the recipient (pair limit) is not.
        """
        slept_at = first_slept_at = None
        while True:
            now = self._clock.now()
            wait_until = self._limiter.check(entry.phone_number_id, entry.customer_id, now)
            if wait_until is None:
                if first_slept_at is not None:
                    report.waited_seconds.append((now - first_slept_at).total_seconds())
                return None
            if now == slept_at or self._limiter.throughput_allows(entry.phone_number_id, now):
                return wait_until
            if slept_at is None:
                report.deferred += 1
                first_slept_at = now
            slept_at = now
            await self._sleep((wait_until - now).total_seconds())

    async def _held_elsewhere(self, entry: OutboxEntry) -> str:
        """Another dispatcher holds the number's lease (or took it from this one) and sends this entry: it goes
        back to the outbox as it was, first in line for that holder, and this dispatcher claims nothing for
        a while rather than pick up the same entries again."""
        self._numbers.lost(entry.phone_number_id)
        self._claims_paused_until = self._clock.now() + HELD_ELSEWHERE_RETRY
        await self._outbox.reschedule(entry.message_id, entry.due_at, entry.attempt)
        return "deferred"

    async def release_leases(self) -> None:
        """On a clean stop: the numbers' next holders carry on from this dispatcher's pacing at once."""
        await self._numbers.release_all()

    async def _orphan(self, entry: OutboxEntry) -> str:
        now = self._clock.now()
        if now - entry.due_at >= ORPHAN_GRACE:
            await self._outbox.complete(entry.message_id)
            return "dropped"
        await self._outbox.reschedule(entry.message_id, now + timedelta(seconds=1), entry.attempt)
        return "deferred"

    async def _accepted(self, message: Message, wamid: Wamid) -> None:
        """Apply statuses parked before the wamid was known.

        Meta echoes our id in biz_opaque_callback_data, so a status of our own send is parked only
        when that echo is missing and it raced ahead of this record.
        """
        accepted = StatusEvent(status=MessageStatus.ACCEPTED, at=self._clock.now())
        resent = message.status.status is MessageStatus.UNKNOWN
        await self._update(message, lambda m: sent_again(with_status(m, accepted, wamid=wamid), resent))
        parked = await self._messages.take_parked_statuses(wamid)
        if parked:
            await self._update(message, lambda m: _with_statuses(m, parked))
        await self._outbox.complete(message.id)

    async def _attempt_failed(self, entry: OutboxEntry, error: CloudApiError) -> str:
        attempts = entry.attempt + 1
        now = self._clock.now()
        if error.retryable and not self._retry.gives_up_after(attempts):
            due = now + self._retry.delay(attempts, self._jitter())
            await self._outbox.reschedule(entry.message_id, due, attempts)
            return "retried"
        failure = Failure(code=error.code, title=error.title, details=error.details)
        failed = StatusEvent(status=MessageStatus.FAILED, at=now, failure=failure)
        message = await self._messages.get(entry.message_id)
        if message is not None:
            await self._update(message, lambda m: with_status(m, failed))
        await self._outbox.complete(entry.message_id)
        return "failed"

    async def _update(self, message: Message, change: Callable[[Message], Message]) -> None:
        updated = await self._messages.update(message.id, change)
        if updated is not None:
            await self._live.publish("message.status", message_event(updated))


_SENDABLE = frozenset({MessageStatus.QUEUED, MessageStatus.UNKNOWN})
"""Queued, or held after an unknown outcome that no status resolved: any other status means Meta has it."""


def sent_again(message: Message, after_unknown: bool) -> Message:
    return msgspec.structs.replace(message, resent_after_unknown=True) if after_unknown else message


def _with_statuses(message: Message, statuses: list[ParkedStatus]) -> Message:
    for parked in statuses:
        message = with_status(message, parked.event, pricing=parked.pricing, conversation=parked.conversation)
    return message


def _request(message: Message) -> SendRequest:
    content = message.content
    assert is_outbound(content), f"message {message.id} holds inbound content and cannot be sent"
    return SendRequest(
        phone_number_id=message.phone_number_id,
        to=message.identity.wa_id,
        recipient=None if message.identity.wa_id else message.identity.user_id,
        content=content,
        context=message.context,
        callback_data=message.id,
    )

