"""How closely the dispatcher holds a number's messages-per-second limit: never above it, and within 2 % of it.

N messages are queued at once (each to its own recipient, so the pair limit never binds) in a real
SQLite store, and the dispatcher worker the server runs (`entrypoints.workers.dispatcher` over the
container's DispatchOutbound, RateLimiter and settings) drains them for a while. The Cloud API is
wrapped by a recorder that notes the time of every send call as it is made (before any answer):

- `sim`: GraphCloudApi over loopback HTTP to the in-process Cloud API simulator, which itself
  answers 130429 above its configured messages/s (the realistic set-up, but the simulator shares
  the event loop and the core with the dispatcher, so at 1,000/s it may be what falls behind);
- `fake`: FakeCloudApi behind an artificial latency drawn uniformly from 20-50 ms per call, as a
  nearby Meta region would answer; this measures the dispatcher alone.

Figures, over the steady part of each run (from 1 s after the first send to the end of the run):
achieved rate and its deviation from the limit, the most sends in any 1-second sliding window
(above the limit is a failure, and makes the bench exit non-zero), and the lateness of each send:
its time minus the earliest moment the limit allowed it (the send `limit` places earlier, plus 1 s).

The peer, measured the same way in the same run, is the pacing many client libraries do: take the
queued messages in order and start each send 1/N s after the previous one (`asyncio.sleep(1 / N)`),
doing the same store work per message.

Usage: .venv/bin/python bench/dispatcher.py [--seconds 15] [--rates 80,1000] [--apis sim,fake] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
import uvloop
from dependency_injector import providers
from loopback import free_port, listening

from adapters.cloud_api.graph import GraphCloudApi
from adapters.memory.cloud_api import FakeCloudApi
from adapters.sqlite import SqliteStores
from application.dispatch_outbound import DispatchOutbound
from application.ports import CloudApi, SendRequest
from application.records import OutboxEntry
from domain.content import Text
from domain.customers import CustomerIdentity
from domain.ids import CustomerId, MessageId, PhoneNumberId, WaId, Wamid
from domain.messages import Direction, Message, with_status
from domain.meta_errors import CloudApiError
from domain.status import MessageStatus, StatusEvent, StatusRecord
from entrypoints.container import Container
from entrypoints.sandbox import BusinessAccount
from entrypoints.settings import Settings
from entrypoints.simulator.app import create_simulator_app
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.server import running_simulator
from entrypoints.workers import dispatcher

NUMBER = "106540352242922"
TOKEN = "bench-token"
LATENCY = (0.020, 0.050)
WARM_UP = 1.0
QUEUE_SLACK = 1.3
"""Queue this many times what the limit lets through in a run, so the queue never runs dry."""


class Recorder:
    """A CloudApi that notes the time of every send call as it is made, then passes it on."""

    def __init__(self, inner: CloudApi, latency: tuple[float, float] | None = None) -> None:
        self._inner = inner
        self._latency = latency
        self.sent_at: list[float] = []
        self.refused: dict[int, int] = {}

    async def send(self, request: SendRequest) -> Wamid:
        self.sent_at.append(time.time())
        if self._latency is not None:
            await asyncio.sleep(random.uniform(*self._latency))
        try:
            return await self._inner.send(request)
        except CloudApiError as error:
            self.refused[error.code] = self.refused.get(error.code, 0) + 1
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclass
class Figures:
    name: str
    limit: int
    sent_at: list[float]
    start: float
    end: float
    cpu_seconds: float
    """This process's CPU time over the run, every thread (the SQLite writer and readers among them)."""
    refused: dict[int, int] = field(default_factory=dict)

    @property
    def steady(self) -> tuple[float, float]:
        first = self.sent_at[0] if self.sent_at else self.start
        return first + WARM_UP, self.end

    @property
    def rate(self) -> float:
        begin, end = self.steady
        return sum(1 for t in self.sent_at if begin <= t < end) / (end - begin)

    @property
    def deviation(self) -> float:
        return (self.rate - self.limit) / self.limit * 100

    @property
    def max_window(self) -> int:
        """The most sends in any half-open window [t, t + 1 s), t a send time (the worst windows start at one)."""
        most, j = 0, 0
        for i, t in enumerate(self.sent_at):
            while j < len(self.sent_at) and self.sent_at[j] < t + 1.0:
                j += 1
            most = max(most, j - i)
        return most

    def lateness_ms(self) -> list[float]:
        """Each steady send's time minus the earliest the limit allowed it: the send `limit` places before, + 1 s."""
        begin, end = self.steady
        late = []
        for k, t in enumerate(self.sent_at):
            if begin <= t < end and k >= self.limit:
                late.append((t - (self.sent_at[k - self.limit] + 1.0)) * 1000)
        return late


async def queue_messages(stores: SqliteStores, count: int) -> None:
    now = datetime.now(UTC)
    messages = [
        Message(
            id=MessageId(f"msg_{n:032x}"),
            direction=Direction.OUTBOUND,
            phone_number_id=PhoneNumberId(NUMBER),
            customer_id=CustomerId(f"{16505550000 + n}"),
            identity=CustomerIdentity(wa_id=WaId(f"{16505550000 + n}")),
            content=Text(body="Your order #1042 has shipped and arrives tomorrow."),
            created_at=now,
            status=StatusRecord.queued(now),
        )
        for n in range(count)
    ]
    await stores.messages.add_many(messages)
    entries = [
        OutboxEntry(message_id=m.id, phone_number_id=m.phone_number_id, customer_id=m.customer_id, due_at=now) for m in messages
    ]
    for chunk in range(0, count, 1000):
        await asyncio.gather(*(stores.outbox.enqueue(e) for e in entries[chunk : chunk + 1000]))


def container_for(data_dir: Path, limit: int, api: CloudApi) -> Container:
    """The server's composition root in Meta mode, with the Cloud API replaced by the recorder."""
    settings = Settings(
        data_dir=data_dir,
        access_token=TOKEN,
        phone_number_id=NUMBER,
        waba_id="102290129340398",
        app_secret="bench-secret",
        verify_token="bench-verify",
        throughput_per_second=limit,
        messaging_tier=None,
    )
    account = BusinessAccount(
        phone_number_id=NUMBER, waba_id="102290129340398", app_secret="bench-secret", verify_token="bench-verify",
        access_token=TOKEN,
    )
    container = Container(settings=settings, account=account, webhook_url="http://127.0.0.1:9/webhook")
    container.cloud_api.override(providers.Object(api))
    return container


async def run_wahub(stores: SqliteStores, container: Container, seconds: float) -> tuple[float, float]:
    dispatch: DispatchOutbound = await container.dispatch_outbound()  # type: ignore[misc]  # async resource
    worker = dispatcher(dispatch, lambda report: None)
    start = time.time()
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return start, time.time()


async def run_naive(stores: SqliteStores, api: CloudApi, limit: int, seconds: float) -> tuple[float, float]:
    """Pacing by sleep: every 1/N s start the next queued message's send, without waiting for it."""
    in_flight: set[asyncio.Task[None]] = set()

    async def send_one(entry: OutboxEntry) -> None:
        message = await stores.messages.get(entry.message_id)
        if message is None or message.status.status is not MessageStatus.QUEUED:
            return
        text = message.content
        assert isinstance(text, Text)
        try:
            wamid = await api.send(
                SendRequest(phone_number_id=message.phone_number_id, to=WaId(message.customer_id), content=text,
                            callback_data=message.id)
            )
        except CloudApiError:
            return
        accepted = StatusEvent(status=MessageStatus.ACCEPTED, at=datetime.now(UTC))
        await stores.messages.update(message.id, lambda m: with_status(m, accepted, wamid=wamid))
        await stores.outbox.complete(message.id)

    async def pace() -> None:
        while True:
            now = datetime.now(UTC)
            entries = await stores.outbox.claim(now, now.replace(year=now.year + 1), 100)
            for entry in entries:
                task = asyncio.create_task(send_one(entry))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                await asyncio.sleep(1 / limit)

    start = time.time()
    pacer = asyncio.create_task(pace())
    await asyncio.sleep(seconds)
    pacer.cancel()
    await asyncio.gather(pacer, return_exceptions=True)
    end = time.time()
    await asyncio.gather(*in_flight, return_exceptions=True)
    return start, end


def simulator_config(limit: int) -> SimulatorConfig:
    return SimulatorConfig(access_token=TOKEN, app_secret="bench-secret", phone_number_id=NUMBER, messages_per_second=limit)


def serve_simulator(port: int, limit: int) -> None:
    """The `sim` Cloud API: this script again, in its own process on the other core (as wrk is for the webhook bench)."""
    uvicorn.run(create_simulator_app(simulator_config(limit)), host="127.0.0.1", port=port, log_level="warning",
                loop="uvloop", http="httptools")


@asynccontextmanager
async def cloud_api(api_kind: str, limit: int) -> AsyncIterator[Recorder]:
    if api_kind == "fake":
        yield Recorder(FakeCloudApi(), latency=LATENCY)
    elif api_kind == "sim-inproc":
        async with running_simulator(simulator_config(limit)) as simulator:
            async with GraphCloudApi(TOKEN, base_url=simulator.url) as graph:
                yield Recorder(graph)
    else:
        port = free_port()
        server = subprocess.Popen(
            ["taskset", "-c", "1", sys.executable, __file__, "--serve-simulator", str(port), "--rates", str(limit)],
            cwd=Path(__file__).resolve().parent.parent,
        )
        try:
            await listening(port)
            async with GraphCloudApi(TOKEN, base_url=f"http://127.0.0.1:{port}") as graph:
                yield Recorder(graph)
        finally:
            server.terminate()
            server.wait(10)


async def measure(name: str, api_kind: str, limit: int, seconds: float) -> Figures:
    data_dir = Path(tempfile.mkdtemp(prefix="wahub-bench-dispatcher-"))
    async with cloud_api(api_kind, limit) as recorder:
        container = container_for(data_dir, limit, recorder)
        stores: SqliteStores = await container.stores()
        try:
            await queue_messages(stores, int(limit * seconds * QUEUE_SLACK) + limit)
            gc.collect()
            gc.freeze()  # as `wahub serve` does once started: start-up objects out of the collector's full passes
            cpu = time.process_time()
            if name == "wahub":
                start, end = await run_wahub(stores, container, seconds)
            else:
                start, end = await run_naive(stores, recorder, limit, seconds)
            cpu = time.process_time() - cpu
        finally:
            gc.unfreeze()
            await container.shutdown_resources()  # type: ignore[misc]  # async resources
    return Figures(name, limit, sorted(recorder.sent_at), start, end, cpu, recorder.refused)


def show(figures: Figures, api_kind: str) -> None:
    late = figures.lateness_ms()
    p50 = statistics.median(late) if late else float("nan")
    p99 = statistics.quantiles(late, n=100)[98] if len(late) >= 2 else float("nan")
    refused = ", ".join(f"{code}: {n}" for code, n in sorted(figures.refused.items())) or "-"
    over = "  ABOVE THE LIMIT" if figures.max_window > figures.limit else ""
    print(
        f"{figures.name:<7} {api_kind:<4} {figures.limit:>6,} | {figures.rate:>9,.1f} {figures.deviation:>+7.2f} % |"
        f" {figures.max_window:>9,} | {p50:>8.2f} {p99:>8.2f} | {len(figures.sent_at):>7,} |"
        f" {figures.cpu_seconds / max(len(figures.sent_at), 1) * 1e6:>11,.0f} | {refused}{over}",
        flush=True,
    )


async def main(rates: list[int], apis: list[str], seconds: float) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    print(f"{seconds:g} s per run; steady part from {WARM_UP:g} s after the first send; fake latency "
          f"{LATENCY[0] * 1000:.0f}-{LATENCY[1] * 1000:.0f} ms")
    print()
    print("peer    api   limit |     msg/s  vs limit | max in 1s | late p50   p99 ms |   sends | CPU us/send | refused by Meta")
    print("-" * 112)
    failed = False
    ratios = []
    for limit in rates:
        for api_kind in apis:
            ours = await measure("wahub", api_kind, limit, seconds)
            show(ours, api_kind)
            naive = await measure("naive", api_kind, limit, seconds)
            show(naive, api_kind)
            failed |= ours.max_window > limit
            ratio = abs(naive.deviation) / max(abs(ours.deviation), 0.01)
            ratios.append(f"{limit:>5,}/s {api_kind}: wahub {abs(ours.deviation):.2f} % off the limit, naive "
                          f"{abs(naive.deviation):.2f} % ({ratio:.1f}x less accurate)")
    print()
    for line in ratios:
        print(line)
    if failed:
        print("wahub sent above the limit in some 1-second window", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rates", default="80,1000")
    parser.add_argument("--apis", default="sim,fake")
    parser.add_argument("--quick", action="store_true", help="5 s per run")
    parser.add_argument("--serve-simulator", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_simulator is not None:
        serve_simulator(arguments.serve_simulator, int(arguments.rates))
        sys.exit(0)
    os.sched_setaffinity(0, {0})  # the dispatcher on one core; the simulator, when it runs apart, on the other
    seconds = 5.0 if arguments.quick else arguments.seconds
    rates = [int(r) for r in arguments.rates.split(",")]
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:  # what `wahub serve` runs on
        sys.exit(runner.run(main(rates, arguments.apis.split(","), seconds)))
