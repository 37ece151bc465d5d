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

from application.dispatch_outbound import DispatchOutbound, DispatchReport
from application.media import DownloadInboundMedia
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

    def wake(self, queue: Literal["inbox", "outbox"]) -> None:
        """A webhook POST was stored ("inbox": its media may be due too) or a message queued ("outbox")."""
        if queue == "inbox":
            self.inbox.wake()
            self.media.wake()
        else:
            self.dispatcher.wake()

    def start(self) -> list[asyncio.Task[None]]:
        workers = (self.inbox, self.dispatcher, self.media, self.retention)
        return [asyncio.create_task(worker.run(), name=worker.name) for worker in workers]


class Reports(Protocol):
    """Where the loops' reports go: this process's metrics, or (role worker) the API process's, over the link."""

    def applied(self, report: InboxReport) -> None: ...

    def dispatched(self, report: DispatchReport) -> None: ...


async def local_workers(container: Container, reports: Reports) -> LocalWorkers:
    return LocalWorkers(
        inbox=inbox_worker(await resolved(container.process_inbox_event), reports.applied),
        dispatcher=dispatcher(await resolved(container.dispatch_outbound), reports.dispatched),
        media=media_downloader(await resolved(container.download_inbound_media)),
        retention=pruner(await resolved(container.prune_retained)),
    )


def inbox_worker(process: ProcessInboxEvent, on_report: Callable[[InboxReport], None]) -> Worker:
    async def step() -> float:
        report = await process.process_pending(INBOX_BATCH)
        on_report(report)
        for inbox_event_id in report.quarantined:
            log.error("webhook POST %s quarantined: %s", inbox_event_id, report.failed[inbox_event_id])
        return 0.0 if report.posts > len(report.failed) else 1.0

    return Worker("inbox", step)


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
