"""The link between an API process and a worker process, over a real Unix socket in one event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapters.memory.live_events import InMemoryLiveEvents
from application.process_inbox_event import InboxReport
from entrypoints.http.metrics import Metrics
from entrypoints.link import ApiLink, Hello, Queue, RelayedLiveEvents, WorkerLink, link_address


async def test_wake_ups_go_down_and_events_and_reports_come_up(tmp_path: Path) -> None:
    live, metrics = InMemoryLiveEvents(), Metrics()
    api = ApiLink(link_address(tmp_path), live, metrics, simulator_url="http://127.0.0.1:9")
    await api.listen()
    listening = api.start()
    worker = WorkerLink(link_address(tmp_path))
    woken: asyncio.Queue[Queue] = asyncio.Queue()
    worker.on_wake = woken.put_nowait
    hello = await worker.hello()
    following = asyncio.create_task(worker.run(hello))
    try:
        assert hello == Hello(simulator_url="http://127.0.0.1:9")
        for _ in range(3):
            api.wake("inbox")  # three POSTs stored in one turn of the loop: one wake-up
        assert await asyncio.wait_for(woken.get(), 10) == "inbox"
        events = live.subscribe(after=None)
        await RelayedLiveEvents(worker).publish("message.received", {"id": "msg_1"})
        worker.applied(InboxReport(posts=1, events={"message": 1}, applied_after=[0.2]))
        event = await asyncio.wait_for(anext(events), 10)
        assert (event.type, event.data, event.id > 0) == ("message.received", {"id": "msg_1"}, True)
        await asyncio.sleep(0.05)
        assert woken.empty()
        assert metrics.registry.get_sample_value("wahub_webhook_events_applied_total", {"kind": "message"}) == 1
    finally:
        following.cancel()
        for task in listening:
            task.cancel()
        await asyncio.gather(following, *listening, return_exceptions=True)
        worker.close()


async def test_a_worker_follows_the_next_api_process_and_stops_if_its_simulator_moved(tmp_path: Path) -> None:
    address = link_address(tmp_path)
    first = ApiLink(address, InMemoryLiveEvents(), Metrics(), simulator_url="http://127.0.0.1:9")
    await first.listen()
    worker = WorkerLink(address)
    following = asyncio.create_task(worker.run(await worker.hello()))
    first.close()
    second = ApiLink(address, InMemoryLiveEvents(), Metrics(), simulator_url="http://127.0.0.1:10")
    await second.listen()
    try:
        await asyncio.wait_for(following, timeout=10)  # returns: the simulator it calls is gone
    finally:
        second.close()
        worker.close()
