"""What one Cloud API send costs the sender in CPU, by HTTP client: the candidates side by side, in one run.

The Cloud API simulator runs in its own process pinned to core 1, at Meta's highest throughput
(1,000 messages/s, answering 130429 above it); this process is pinned to core 0 and offers the
same text message send at a fixed rate (900/s by default, under the limit) with at most 64 calls in
flight, each to its own recipient, as the dispatcher does at the top tier. A client that cannot
keep up falls behind the offered rate with 64 calls waiting. Printed per client: calls/s achieved,
client CPU per call (this process's user+system time over the turn divided by the calls), the share
of a core that is, p50/p99 latency of a call, and errors (refusals included). The clients run in
turns (A B C, A B C, ...) so the machine's load moves them alike; each figure is the median of its turns.

- `httpx`: httpx.AsyncClient with its default transport (httpcore), as wahub first shipped it;
- `httpx+aiohttp`: the same httpx.AsyncClient interface over the `httpx-aiohttp` transport;
- `aiohttp`: aiohttp.ClientSession directly;
- `GraphCloudApi`: wahub's adapter as shipped (aiohttp directly; `send`: the body built from a SendRequest, the answer read).

Usage: .venv/bin/python bench/http_client.py [--seconds 5] [--turns 3] [--rate 900] [--in-flight 64] [--only httpx,aiohttp]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import msgspec
import uvicorn
import uvloop
from httpx_aiohttp import AiohttpTransport
from loopback import free_port, listening

from adapters.cloud_api.graph import GraphCloudApi
from application.ports import SendRequest
from domain.content import Text
from domain.ids import PhoneNumberId, WaId
from domain.meta_errors import CloudApiError
from entrypoints.simulator.app import create_simulator_app
from entrypoints.simulator.config import SimulatorConfig

NUMBER = "106540352242922"
TOKEN = "bench-token"
BODY_TEXT = "Your order #1042 has shipped and arrives tomorrow."
CLIENTS = ("httpx", "httpx+aiohttp", "aiohttp", "GraphCloudApi")

Call = Callable[[int], Awaitable[None]]


def send_body(n: int) -> bytes:
    return msgspec.json.encode(
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": f"{16505550000 + n}",
         "type": "text", "text": {"body": BODY_TEXT}}
    )


async def open_client(name: str, url: str, stack: AsyncExitStack) -> Call:
    """One client of each kind, each POSTing the same bytes with the same headers and reading the answer."""
    endpoint = f"{url}/v23.0/{NUMBER}/messages"
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    if name in ("httpx", "httpx+aiohttp"):
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        transport = AiohttpTransport(limits=limits) if name == "httpx+aiohttp" else None
        client = await stack.enter_async_context(httpx.AsyncClient(limits=limits, transport=transport))

        async def via_httpx(n: int) -> None:
            response = await client.post(endpoint, content=send_body(n), headers=headers)
            response.raise_for_status()
            msgspec.json.decode(response.content)

        return via_httpx
    if name == "aiohttp":
        session = await stack.enter_async_context(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)))

        async def via_aiohttp(n: int) -> None:
            async with session.post(endpoint, data=send_body(n), headers=headers) as response:
                response.raise_for_status()
                msgspec.json.decode(await response.read())

        return via_aiohttp
    graph = await stack.enter_async_context(GraphCloudApi(TOKEN, base_url=url))

    async def via_graph(n: int) -> None:
        await graph.send(SendRequest(phone_number_id=PhoneNumberId(NUMBER), to=WaId(f"{16505550000 + n}"),
                                     content=Text(body=BODY_TEXT)))

    return via_graph


@dataclass
class Turn:
    calls_per_second: float
    cpu_us: float
    core_percent: float
    p50_ms: float
    p99_ms: float
    errors: Counter[str]


async def turn(call: Call, seconds: float, rate: float, in_flight: int, numbers: itertools.count[int]) -> Turn:
    """Starts calls at `rate` per second (in 2 ms ticks), never more than `in_flight` at once."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    slots = asyncio.Semaphore(in_flight)
    calls: set[asyncio.Task[None]] = set()

    async def one(n: int) -> None:
        began = time.perf_counter()
        try:
            await call(n)
        except Exception as error:
            errors[refusal(error)] += 1
        else:
            latencies.append(time.perf_counter() - began)
        finally:
            slots.release()

    await asyncio.sleep(1.0)  # the simulator's one-second window empties of the previous turn's calls
    await asyncio.gather(*(call(next(numbers)) for _ in range(in_flight)))  # `in_flight` connections opened
    await asyncio.sleep(1.0)  # and those calls out of the window too
    cpu, start = time.process_time(), time.perf_counter()
    started = 0
    while (now := time.perf_counter()) < start + seconds:
        while started < (now - start) * rate:
            await slots.acquire()
            task = asyncio.create_task(one(next(numbers)))
            calls.add(task)
            task.add_done_callback(calls.discard)
            started += 1
        await asyncio.sleep(0.002)
    await asyncio.gather(*calls)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - start
    done = len(latencies) + errors.total()
    return Turn(
        calls_per_second=done / wall,
        cpu_us=cpu / max(done, 1) * 1e6,
        core_percent=cpu / wall * 100,
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p99_ms=statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 1 else float("nan"),
        errors=errors,
    )


def refusal(error: Exception) -> str:
    """Meta's code when the simulator refused the call (130429: above its throughput), else the exception's kind."""
    if isinstance(error, CloudApiError):
        return str(error.code)
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    if isinstance(error, aiohttp.ClientResponseError):
        return f"HTTP {error.status}"
    return type(error).__name__


async def main(names: list[str], seconds: float, turns: int, rate: float, in_flight: int, url: str) -> None:
    results: dict[str, list[Turn]] = {name: [] for name in names}
    numbers = itertools.count()
    load_before = os.getloadavg()[0]
    async with AsyncExitStack() as stack:
        calls = {name: await open_client(name, url, stack) for name in names}
        for _ in range(turns):
            for name in names:
                results[name].append(await turn(calls[name], seconds, rate, in_flight, numbers))
    print(f"offered {rate:,.0f} calls/s, at most {in_flight} in flight, {seconds:g} s per turn, {turns} turns per "
          f"client (medians); load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print()
    print(f"{'client':<14} {'calls/s':>9} {'CPU us/call':>12} {'core %':>7} {'p50 ms':>8} {'p99 ms':>8}"
          "   CPU us/call per turn   errors (all turns)")
    print("-" * 110)
    for name in names:
        runs = results[name]
        errors = sum((run.errors for run in runs), Counter[str]())
        print(
            f"{name:<14} {statistics.median(r.calls_per_second for r in runs):>9,.0f}"
            f" {statistics.median(r.cpu_us for r in runs):>12,.0f} {statistics.median(r.core_percent for r in runs):>7.0f}"
            f" {statistics.median(r.p50_ms for r in runs):>8.2f} {statistics.median(r.p99_ms for r in runs):>8.2f}"
            f"   {' '.join(f'{r.cpu_us:,.0f}' for r in runs):<22} "
            f"{', '.join(f'{kind}: {n}' for kind, n in errors.most_common()) or '-'}"
        )
    if "httpx" in names:
        base = statistics.median(r.cpu_us for r in results["httpx"])
        print()
        for name in names:
            if name != "httpx":
                cost = statistics.median(r.cpu_us for r in results[name])
                print(f"{name}: {base / cost:.1f}x less CPU per call than httpx")


def serve_simulator(port: int) -> None:
    config = SimulatorConfig(access_token=TOKEN, app_secret="bench-secret", phone_number_id=NUMBER,
                             messages_per_second=1000)
    uvicorn.run(create_simulator_app(config), host="127.0.0.1", port=port, log_level="warning",
                loop="uvloop", http="httptools")


def run(names: list[str], seconds: float, turns: int, rate: float, in_flight: int) -> None:
    port = free_port()
    simulator = subprocess.Popen(
        ["taskset", "-c", "1", sys.executable, __file__, "--serve-simulator", str(port)],
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(listening(port))
            runner.run(main(names, seconds, turns, rate, in_flight, f"http://127.0.0.1:{port}"))
    finally:
        simulator.terminate()
        simulator.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--rate", type=float, default=900.0, help="calls offered per second")
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--only", default=",".join(CLIENTS))
    parser.add_argument("--serve-simulator", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_simulator is not None:
        serve_simulator(arguments.serve_simulator)
        sys.exit(0)
    os.sched_setaffinity(0, {0})
    run(arguments.only.split(","), arguments.seconds, arguments.turns, arguments.rate, arguments.in_flight)
