"""The background loops of `wahub serve`: the inbox worker, the outbound dispatcher, the media downloader.

Each sleeps until woken (a webhook stored, a message queued) or a short poll passes, so work
written by another process (or left by a crash) is still picked up. A failing step is logged and
retried after a growing pause: a worker that dies silently would leave accepted work undone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal, Protocol

from application.delivered_posts import ApplyDeliveredPosts
from application.dispatch_outbound import DispatchOutbound, DispatchReport
from application.media import DownloadInboundMedia
from application.ports import WorkSubscription
from application.process_inbox_event import InboxReport, ProcessInboxEvent
from application.retention import PruneRetained
from entrypoints.container import Container, resolved
from entrypoints.logs import failure

log = logging.getLogger("wahub.workers")

INBOX_BATCH = 200
MAX_PAUSE_SECONDS = 30.0
DISPATCH_IDLE_SECONDS = 0.05
BATCHES_IN_FLIGHT = 16
PRUNE_PAUSE_SECONDS = 0.05
RETENTION_IDLE_SECONDS = 600.0
SWEEP_SECONDS = 30.0


class Worker:
    """Runs `step` until stopped; `step` answers how long to wait before the next one (0: there is more to do now),
    and `wake` cuts that wait short. `stop`, if given, runs when the worker is stopped."""

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[float]],
        stop: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self._step = step
        self._stop = stop
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        try:
            await self._loop()
        finally:
            if self._stop is not None:
                await self._stop()

    async def _loop(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                pause = await self._step()
                failures = 0
            except Exception as error:
                failures += 1
                failure(
                    log, "worker.failed", f"{self.name} step failed; retrying", error, worker=self.name, in_a_row=failures
                )
                await asyncio.sleep(min(0.1 * 2**failures, MAX_PAUSE_SECONDS))
                continue
            if pause > 0:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)


@dataclass(frozen=True)
class LocalWorkers:
    """The loops in this process: what `wahub serve` runs beside the API (role all) or alone (role worker)."""

    inbox: Worker
    dispatcher: Worker
    media: Worker
    retention: Worker
    queue_followers: tuple[Worker, ...] = ()
    """On a shared work queue (Pub/Sub), the loops that receive its deliveries; `inbox` then only sweeps."""

    def wake(self, queue: Literal["inbox", "outbox"]) -> None:
        """A webhook POST was stored ("inbox": its media may be due too) or a message queued ("outbox")."""
        if queue == "inbox":
            self.inbox.wake()
            self.media.wake()
        else:
            self.dispatcher.wake()

    def start(self) -> list[asyncio.Task[None]]:
        workers = (self.inbox, self.dispatcher, self.media, self.retention, *self.queue_followers)
        return [asyncio.create_task(worker.run(), name=worker.name) for worker in workers]


class Reports(Protocol):
    """Where the loops' reports go: this process's metrics, or (role worker) the API process's, over the link."""

    def applied(self, report: InboxReport) -> None: ...

    def dispatched(self, report: DispatchReport) -> None: ...


async def local_workers(container: Container, reports: Reports) -> LocalWorkers:
    process = await resolved(container.process_inbox_event)
    send = dispatcher(await resolved(container.dispatch_outbound), reports.dispatched)
    media = media_downloader(await resolved(container.download_inbound_media))
    retention = pruner(await resolved(container.prune_retained))
    if container.settings().queue == "local":
        return LocalWorkers(inbox=inbox_worker(process, reports.applied), dispatcher=send, media=media, retention=retention)
    delivered = await resolved(container.apply_delivered_posts)
    followers = (
        delivered_posts(delivered, reports.applied, media),
        dead_letters(delivered),
        announced_sends(await resolved(container.work_queue), send),
    )
    return LocalWorkers(
        inbox=inbox_sweeper(process, reports.applied),
        dispatcher=send,
        media=media,
        retention=retention,
        queue_followers=followers,
    )


def inbox_worker(process: ProcessInboxEvent, on_report: Callable[[InboxReport], None]) -> Worker:
    async def step() -> float:
        report = await process.process_pending(INBOX_BATCH)
        on_report(report)
        for inbox_event_id in report.quarantined:
            log.error("webhook POST %s quarantined: %s", inbox_event_id, report.failed[inbox_event_id])
        return 0.0 if report.posts > len(report.failed) else 1.0

    return Worker("inbox", step)


def inbox_sweeper(process: ProcessInboxEvent, on_report: Callable[[InboxReport], None]) -> Worker:
    """On a shared queue: one batch of what is stored and unapplied every SWEEP_SECONDS, whatever it finds.

    It applies a POST stored by an API process that failed (or died) before announcing it, which Meta then
    delivered again as a new POST: applying is idempotent, so the copy changes nothing twice. What the
    queue is delivering at the same moment may be applied twice over, to the same effect.
    """

    async def step() -> float:
        on_report(await process.process_pending(INBOX_BATCH))
        return SWEEP_SECONDS

    return Worker("inbox sweep", step)


def delivered_posts(apply: ApplyDeliveredPosts, on_report: Callable[[InboxReport], None], media: Worker) -> Worker:
    """Receives (waiting in the queue's pull), applies, settles; media of the applied POSTs may be due."""

    async def step() -> float:
        report = await apply(INBOX_BATCH)
        on_report(report)
        if report.posts:
            media.wake()
        for inbox_event_id in report.quarantined:
            log.error("webhook POST %s quarantined: %s", inbox_event_id, report.failed[inbox_event_id])
        return 0.0

    return Worker("inbox deliveries", step)


def dead_letters(apply: ApplyDeliveredPosts) -> Worker:
    async def step() -> float:
        for inbox_event_id in await apply.bury_dead_letters(INBOX_BATCH):
            log.error("webhook POST %s dead-lettered by the work queue: in the quarantine", inbox_event_id)
        return 0.0

    return Worker("inbox dead letters", step)


def announced_sends(subscription: WorkSubscription, send: Worker) -> Worker:
    """A queued message announced by any API process wakes this dispatcher, which claims it from the outbox.

    The outbox entry is the unit of a send (its lease, the `calling` mark and its fencing, the unknown
    outcome's wait), so the announcement is acknowledged once the dispatcher is woken: whichever
    dispatcher claims the entry first sends it, and only once.
    """

    async def step() -> float:
        deliveries = await subscription.receive("outbox", INBOX_BATCH)
        if deliveries:
            send.wake()
            await subscription.settle("outbox", deliveries, ())
        return 0.0

    return Worker("outbox deliveries", step)


def dispatcher(dispatch: DispatchOutbound, on_report: Callable[[DispatchReport], None]) -> Worker:
    """Claims as soon as the limits will have room, and sends each claim beside the next ones.

    A claim's sends wait for tokens and then for Meta's answers; the next claim does not wait for
    them, or every token would come back to a dispatcher still busy with the previous batch and the
    number would fall short of its throughput by that much. At most BATCHES_IN_FLIGHT claims are
    being sent at once, so a Meta that stops answering does not pile up requests.
    """
    sending: set[asyncio.Task[DispatchReport]] = set()

    def settled(task: asyncio.Task[DispatchReport]) -> None:
        sending.discard(task)
        if task.cancelled():
            return
        if (error := task.exception()) is not None:
            failure(log, "worker.failed", "dispatcher batch failed; its entries are retried when their lease ends", error)
            return
        on_report(task.result())

    async def step() -> float:
        while len(sending) >= BATCHES_IN_FLIGHT:
            await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
        claimed = await dispatch.claim()
        if claimed.entries:
            task = asyncio.create_task(dispatch.send(claimed), name="dispatcher batch")
            sending.add(task)
            task.add_done_callback(settled)
            return 0.0
        if claimed.room_in is not None:
            return claimed.room_in.total_seconds()
        return DISPATCH_IDLE_SECONDS

    async def stop() -> None:
        """Unfinished batches are retried after their outbox lease; the numbers' sending leases go to the next
        dispatcher at once (a store that fails now only makes it wait for them to run out)."""
        for task in sending:
            task.cancel()
        await asyncio.gather(*sending, return_exceptions=True)
        try:
            await dispatch.release_leases()
        except Exception as error:
            failure(log, "worker.failed", "sending leases not released; they run out by themselves", error)

    return Worker("dispatcher", step, stop)


def pruner(prune: PruneRetained) -> Worker:
    """A batch, a short pause for the webhooks waiting on the store's writer, the next batch; idle, a long pause."""

    async def step() -> float:
        return PRUNE_PAUSE_SECONDS if await prune() > 0 else RETENTION_IDLE_SECONDS

    return Worker("retention", step)


def media_downloader(download: DownloadInboundMedia) -> Worker:
    async def step() -> float:
        return 0.0 if await download() > 0 else 1.0

    return Worker("media", step)
