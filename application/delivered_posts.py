"""ApplyDeliveredPosts: a worker's step on a shared work queue, for webhook POSTs announced by any API process.

A delivery is acknowledged only once the store holds its result: the POST applied (its changes and processed
mark written in one unit, PostWriter), or its failure recorded. A failed one is handed back, and the queue
delivers it again after a pause; a redelivery (a worker died before acknowledging) applies nothing twice,
since applying is idempotent. After the queue's fixed number of deliveries it moves the id to its dead
letters, and `bury_dead_letters` puts the POST in the quarantine operators list and replay
(`wahub inbox failed|replay`), with the reason: the store's own quarantine comes at the same count
with the whole error, and a POST whose deliveries ended without an answer (its worker was killed) is
quarantined with that said.
"""

from __future__ import annotations

import asyncio

from application.ports import Clock, Inbox, LiveEvents, WorkSubscription
from application.process_inbox_event import InboxReport, ProcessInboxEvent
from application.records import Delivery, InboxFailure


class ApplyDeliveredPosts:
    def __init__(
        self,
        *,
        subscription: WorkSubscription,
        inbox: Inbox,
        process: ProcessInboxEvent,
        live_events: LiveEvents,
        clock: Clock,
    ) -> None:
        self._subscription = subscription
        self._inbox = inbox
        self._process = process
        self._live = live_events
        self._clock = clock

    async def __call__(self, limit: int) -> InboxReport:
        """Apply what the queue delivers (waiting a while for it), then settle every delivery."""
        report = InboxReport()
        deliveries = await self._subscription.receive("inbox", limit)
        applied = await asyncio.gather(*(self._apply(delivery, report) for delivery in deliveries))
        done = [delivery for delivery, ok in zip(deliveries, applied, strict=True) if ok]
        again = [delivery for delivery, ok in zip(deliveries, applied, strict=True) if not ok]
        await self._subscription.settle("inbox", done, again)
        report.posts = len(deliveries)
        return report

    async def _apply(self, delivery: Delivery, report: InboxReport) -> bool:
        event = await self._inbox.get(delivery.work_id)
        if event is None:  # pruned long after it was applied: nothing is left to do
            return True
        return await self._process(event, report)

    async def bury_dead_letters(self, limit: int) -> list[str]:
        """Quarantine the POSTs the queue gave up on (a POST applied since is left alone); returns their ids."""
        dead = await self._subscription.dead_letters("inbox", limit)
        now = self._clock.now()
        for delivery in dead:
            event = await self._inbox.get(delivery.work_id)
            if event is None or event.attempts >= delivery.attempt:
                continue  # pruned, or every delivery failed in the store, which quarantined it with the whole error
            reason = (
                f"the work queue gave it up after {delivery.attempt} deliveries; {event.attempts} failed "
                "applications were recorded, and the others ended without an answer (the worker stopped or was "
                "killed while applying it)"
            )
            await self._inbox.failed(event.id, InboxFailure(attempts=delivery.attempt, error=reason, at=now, retry_at=None))
            await self._live.publish(
                "webhook.quarantined", {"inbox_event_id": event.id, "attempts": delivery.attempt, "error": reason}
            )
        await self._subscription.bury("inbox", dead)
        return [delivery.work_id for delivery in dead]
