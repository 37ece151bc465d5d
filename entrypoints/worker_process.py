"""`wahub serve --role worker`: the inbox worker, the dispatcher and the media downloader, without HTTP.

It shares the API process's data directory (on SQLite, its database file in WAL mode) and follows it
over the link (entrypoints/link.py): woken when work is stored, its live events published by the API.
In sandbox mode the simulator lives in the API process, which tells the worker where it plays Meta.
"""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import Callable

import click
import msgspec
from dependency_injector import providers

from entrypoints.container import Container, resolved
from entrypoints.link import RelayedLiveEvents, WorkerLink, link_address
from entrypoints.sandbox import business_account
from entrypoints.settings import Settings
from entrypoints.workers import local_workers


class SimulatorMoved(click.ClickException):
    """The worker's Cloud API client calls an address nobody plays Meta at any more (exit code 1, one line)."""


def serve_worker(settings: Settings, announce: Callable[[str], None]) -> None:
    """On uvloop where there is one, as uvicorn runs the API process."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(run_worker(settings, announce))
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run_worker(settings, announce))


async def run_worker(settings: Settings, announce: Callable[[str], None]) -> None:
    link = WorkerLink(link_address(settings.data_dir))
    announce(f"wahub worker: waiting for the API process on data dir {settings.data_dir}")
    hello = await link.hello()
    if hello.simulator_url is not None:
        settings = msgspec.structs.replace(settings, graph_url=hello.simulator_url)
    container = Container(settings=settings, account=business_account(settings), webhook_url="")
    container.simulator.override(providers.Object(None))
    if settings.store != "firestore":  # on Firestore its events go there, where every API process follows them
        container.live_events.override(providers.Object(RelayedLiveEvents(link)))
    await resolved(container.init_resources)
    try:
        workers = await local_workers(container, link)
        link.on_wake = workers.wake
        following = asyncio.create_task(link.run(hello), name="link to the API")
        tasks = [*workers.start(), following]
        gc.freeze()  # as the API process does: start-up objects out of the collector's full passes
        announce(f"wahub worker applying the inbox and sending (store: {settings.store}, data: {settings.data_dir})")
        stopped = asyncio.create_task(_stopped())
        await asyncio.wait([stopped, following], return_when=asyncio.FIRST_COMPLETED)
        for task in [*tasks, stopped]:
            task.cancel()
        await asyncio.gather(*tasks, stopped, return_exceptions=True)
        if following.done() and not following.cancelled():
            raise SimulatorMoved("the sandbox simulator moved with the restarted API process: restart this worker")
    finally:
        link.close()
        await resolved(container.shutdown_resources)


async def _stopped() -> None:
    """Until SIGTERM or SIGINT: then the loops are cancelled, and what they claimed is retried after its lease."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
