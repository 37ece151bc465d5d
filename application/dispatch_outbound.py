"""DispatchOutbound: one step of the dispatcher that turns queued messages into Cloud API calls.

Rate limits are held here, before Meta sees a request, so a burst of sends becomes a steady
stream at the number's throughput instead of a storm of 130429/131056 failures.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import timedelta

import msgspec

from application.live import message_event
from application.ports import Clock, CloudApi, LiveEvents, MessageStore, Outbox, SendRequest
from application.rate_limiter import RateLimiter
from application.records import OutboxEntry
from domain.content import is_outbound
from domain.ids import Wamid
from domain.messages import Message, Pricing, with_status
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
    dropped: int = 0


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
        retry: RetryPolicy = RetryPolicy(),
        batch_size: int = 100,
        lease: timedelta = timedelta(seconds=60),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._outbox = outbox
        self._messages = messages
        self._cloud_api = cloud_api
        self._live = live_events
        self._clock = clock
        self._limiter = rate_limiter
        self._retry = retry
        self._batch_size = batch_size
        self._lease = lease
        self._jitter = jitter

    async def __call__(self) -> DispatchReport:
        now = self._clock.now()
        entries = await self._outbox.claim(now, now + self._lease, self._batch_size)
        report = DispatchReport(claimed=len(entries))
        admitted = []
        for entry in entries:
            wait_until = self._limiter.admit(entry.phone_number_id, entry.wa_id, now)
            if wait_until is None:
                admitted.append(entry)
            else:
                report.deferred += 1
                await self._outbox.reschedule(entry.message_id, wait_until, entry.attempt)
        for outcome in await asyncio.gather(*(self._dispatch(entry) for entry in admitted)):
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    async def _dispatch(self, entry: OutboxEntry) -> str:
        message = await self._messages.get(entry.message_id)
        if message is None:
            return await self._orphan(entry)
        if message.status.status is not MessageStatus.QUEUED:
            await self._outbox.complete(entry.message_id)
            return "dropped"
        try:
            wamid = await self._cloud_api.send(_request(message))
        except CloudApiError as error:
            return await self._attempt_failed(entry, error)
        await self._accepted(message, wamid)
        return "sent"

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
        await self._update(message, lambda m: with_status(m, accepted, wamid=wamid))
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


def _with_statuses(message: Message, statuses: list[tuple[StatusEvent, Pricing | None]]) -> Message:
    for event, pricing in statuses:
        message = with_status(message, event, pricing=pricing)
    return message


def _request(message: Message) -> SendRequest:
    content = message.content
    assert is_outbound(content), f"message {message.id} holds inbound content and cannot be sent"
    return SendRequest(
        phone_number_id=message.phone_number_id,
        to=message.wa_id,
        content=content,
        context=message.context,
        callback_data=message.id,
    )

