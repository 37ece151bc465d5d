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

from application.dispatch_outbound import DispatchOutbound, DispatchReport
from application.media import DownloadInboundMedia
from application.process_inbox_event import InboxReport, ProcessInboxEvent

log = logging.getLogger("wahub.workers")

INBOX_BATCH = 200
MAX_PAUSE_SECONDS = 30.0


class Worker:
    """Runs `step` (answering whether it found work) until stopped; `wake` cuts an idle wait short."""

    def __init__(self, name: str, step: Callable[[], Awaitable[bool]], idle_seconds: float) -> None:
        self.name = name
        self._step = step
        self._idle_seconds = idle_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                busy = await self._step()
                failures = 0
            except Exception:
                failures += 1
                log.exception("%s step failed (%d in a row); retrying", self.name, failures)
                await asyncio.sleep(min(0.1 * 2**failures, MAX_PAUSE_SECONDS))
                continue
            if not busy:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_seconds)


def inbox_worker(process: ProcessInboxEvent, on_report: Callable[[InboxReport], None]) -> Worker:
    async def step() -> bool:
        report = await process.process_pending(INBOX_BATCH)
        on_report(report)
        return report.posts > 0

    return Worker("inbox", step, idle_seconds=1.0)


def dispatcher(dispatch: DispatchOutbound, on_report: Callable[[DispatchReport], None]) -> Worker:
    async def step() -> bool:
        report = await dispatch()
        on_report(report)
        return report.sent + report.retried + report.failed + report.dropped > 0

    return Worker("dispatcher", step, idle_seconds=0.05)


def media_downloader(download: DownloadInboundMedia) -> Worker:
    async def step() -> bool:
        return await download() > 0

    return Worker("media", step, idle_seconds=1.0)
