"""One machine at Meta's top tier: 1,000 sends/s and the ~3 status webhooks each causes, end to end.

Processes, all on this machine (nothing pinned: they share its cores, as in production):
- the Cloud API simulator, its own uvicorn process, at 1,000 messages/s (130429 above it), answering
  every send with sent, delivered and read statuses as signed webhooks to wahub (64 POSTs in flight,
  one event per POST, `--status-delay` seconds apart);
- `wahub serve --role api` and `wahub serve --role worker` on one SQLite file, in Meta mode against the
  simulator, with a burst of messages queued before they start (hello_world, each to its own recipient);
- this script: customers writing in through the simulator at `--inbound` messages/s (open loop), an SSE
  client of wahub's /v1/events, and the sampling below.

Printed: the achieved send rate over the steady part and its deviation from 1,000/s, the most sends in
any 1-second window (never above the limit), the simulator's 130429 refusals, webhook events/s acked by
wahub and applied (seen on the event stream), time from a customer's message to its visibility on the
stream (p50/p99/max), the inbox backlog each second, CPU per send and per applied event, and each
process's CPU and resident memory. Load average before and after is printed: the machine is shared.

Usage: .venv/bin/python bench/full_tier.py [--seconds 30] [--inbound 100] [--status-delay 1.0] [--batch 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import uvicorn
import uvloop
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.types import Message as AsgiMessage
from loopback import free_port, listening

from adapters.sqlite import open_sqlite_stores
from application.records import OutboxEntry
from domain.content import Template, TemplateLanguage
from domain.customers import CustomerIdentity
from domain.ids import CustomerId, MessageId, PhoneNumberId, WaId
from domain.messages import Direction, Message
from domain.status import StatusRecord
from entrypoints.simulator.app import create_simulator_app
from entrypoints.simulator.config import SimulatorConfig

NUMBER = "106540352242922"
WABA = "102290129340398"
TOKEN = "bench-token"
SECRET = "bench-app-secret"
VERIFY = "bench-verify-token"
ADMIN_KEY = "wahub_bench_admin_key_0123456789abcdefghijklmn"
LIMIT = 1000
WARM_UP = 2.0
ROOT = Path(__file__).resolve().parent.parent
WAHUB = Path(sys.executable).parent / "wahub"


def counting_sends(app: ASGIApp) -> ASGIApp:
    """The simulator with a recorder in front: when each send was accepted, and Meta's code of each refusal.

    `GET /_bench/sends` answers {"accepted": [unix times], "refused": {code: count}}.
    """
    accepted: list[float] = []
    refused: Counter[str] = Counter()

    async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope["path"] == "/_bench/sends":
            body = msgspec.json.encode({"accepted": accepted, "refused": refused})
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["method"] != "POST" or not scope["path"].endswith("/messages"):
            await app(scope, receive, send)
            return
        status = 0

        async def sending(message: AsgiMessage) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 200:
                    accepted.append(time.time())
            elif message["type"] == "http.response.body" and status != 200:
                code = msgspec.json.decode(message.get("body", b"{}")).get("error", {}).get("code")
                refused[str(code)] += 1
            await send(message)

        await app(scope, receive, sending)

    return recorded


def serve_simulator(port: int, webhook_port: int, status_delay: float) -> None:
    config = SimulatorConfig(
        access_token=TOKEN, app_secret=SECRET, webhook_url=f"http://127.0.0.1:{webhook_port}/webhook",
        verify_token=VERIFY, phone_number_id=NUMBER, waba_id=WABA, messages_per_second=LIMIT,
        status_delay_seconds=status_delay, webhook_concurrency=64,
    )
    app = counting_sends(create_simulator_app(config))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", loop="uvloop", http="httptools")


async def queue_burst(database: Path, count: int) -> None:
    """What the dispatcher finds at start: `count` template sends, each to its own recipient (no pair limit)."""
    stores = await open_sqlite_stores(database)
    try:
        now = datetime.now(UTC)
        hello = Template(name="hello_world", language=TemplateLanguage(code="en_US"))
        messages = [
            Message(id=MessageId(f"msg_{n:032x}"), direction=Direction.OUTBOUND, phone_number_id=PhoneNumberId(NUMBER),
                    customer_id=CustomerId(f"{15550000000 + n}"), identity=CustomerIdentity(wa_id=WaId(f"{15550000000 + n}")),
                    content=hello, created_at=now,
                    status=StatusRecord.queued(now), business_initiated=True)
            for n in range(count)
        ]
        await stores.messages.add_many(messages)
        for chunk in range(0, count, 1000):
            await asyncio.gather(*(
                stores.outbox.enqueue(OutboxEntry(message_id=m.id, phone_number_id=m.phone_number_id,
                                                  customer_id=m.customer_id, due_at=now))
                for m in messages[chunk:chunk + 1000]
            ))
    finally:
        await stores.close()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def sample(self) -> None:
        """CPU seconds (user+system) and resident memory, from /proc."""
        try:
            stat = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{self.popen.pid}/status").read_text()
        except OSError:
            return
        ticks = os.sysconf("SC_CLK_TCK")
        self.cpu.append((int(stat[11]) + int(stat[12])) / ticks)
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        self.rss_mb.append(int(rss.split()[1]) / 1024)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)


@dataclass
class Seen:
    """What the event stream showed: each customer message's visibility time, and events by type per second."""

    start: float = 0.0
    visible_at: dict[str, float] = field(default_factory=dict)
    by_type: Counter[str] = field(default_factory=Counter)
    per_second: Counter[int] = field(default_factory=Counter)


async def follow_events(url: str, seen: Seen) -> None:
    headers = {"authorization": f"Bearer {ADMIN_KEY}"}
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(f"{url}/v1/events", headers=headers) as stream:
        event = ""
        async for raw in stream.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                now = time.time()
                seen.by_type[event] += 1
                seen.per_second[int(now - seen.start)] += 1
                if event == "message.received":
                    wamid = json.loads(line[5:]).get("wamid")
                    if wamid is not None:
                        seen.visible_at.setdefault(wamid, now)


async def customers_write(simulator_url: str, rate: float, seconds: float, written: dict[str, float]) -> None:
    """Open loop: the n-th customer message leaves at start + n / rate, whatever the answers take."""
    if rate <= 0:
        return
    async with aiohttp.ClientSession() as session:
        calls: set[asyncio.Task[None]] = set()

        async def write(n: int) -> None:
            sent = time.time()
            body = {"from": f"1650{n % 1000:07d}", "type": "text", "text": {"body": f"Where is order #{n}?"}}
            async with session.post(f"{simulator_url}/_sim/inbound", json=body) as answer:
                if answer.status == 200:
                    written[(await answer.json())["wamid"]] = sent

        start = time.time()
        n = 0
        while (elapsed := time.time() - start) < seconds:
            while n < elapsed * rate:
                task = asyncio.create_task(write(n))
                calls.add(task)
                task.add_done_callback(calls.discard)
                n += 1
            await asyncio.sleep(0.005)
        await asyncio.gather(*calls, return_exceptions=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: a value that was measured."""
    if not values:
        return float("nan")
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, max(0, math.ceil(p / 100 * len(ranked)) - 1))]


def inbox_counts(database: Path) -> tuple[int, int]:
    """Webhook POSTs stored, and of those still unapplied, read from wahub's database (WAL: no lock taken)."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        stored = db.execute("SELECT COALESCE(MAX(seq), 0) FROM inbox").fetchone()[0]
        unapplied = db.execute("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL").fetchone()[0]
    return int(stored), int(unapplied)


def max_in_window(times: list[float]) -> int:
    most, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + 1.0:
            j += 1
        most = max(most, j - i)
    return most


async def run(seconds: float, inbound: float, status_delay: float, batch: int) -> int:
    load_before = os.getloadavg()
    data_dir = Path(tempfile.mkdtemp(prefix="wahub-bench-full-tier-"))
    await queue_burst(data_dir / "wahub.db", int(LIMIT * (seconds + 5)))
    api_port, simulator_port = free_port(), free_port()
    simulator_url, api_url = f"http://127.0.0.1:{simulator_port}", f"http://127.0.0.1:{api_port}"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(data_dir), "WAHUB_DATA_DIR": str(data_dir),
        "WAHUB_ACCESS_TOKEN": TOKEN, "WAHUB_PHONE_NUMBER_ID": NUMBER, "WAHUB_WABA_ID": WABA,
        "WAHUB_APP_SECRET": SECRET, "WAHUB_VERIFY_TOKEN": VERIFY, "WAHUB_GRAPH_URL": simulator_url,
        "WAHUB_THROUGHPUT_PER_SECOND": str(LIMIT), "WAHUB_MESSAGING_TIER": "unlimited",
        "WAHUB_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
    }
    if "PYTHONPATH" in os.environ:  # benching another checkout than the installed one
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    logs = data_dir / "logs"
    logs.mkdir()

    def spawn(name: str, command: list[str]) -> Process:
        with open(logs / f"{name}.out", "wb") as out:
            return Process(name, subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT,
                                                  cwd=ROOT))

    processes = [
        spawn("simulator", [sys.executable, __file__, "--serve-simulator", str(simulator_port), "--webhook-port",
                            str(api_port), "--status-delay", str(status_delay)]),
    ]
    try:
        await listening(simulator_port)
        if batch > 1:  # Meta may put several entries in one POST under load; one per POST is the worst case
            async with aiohttp.ClientSession() as session:
                await session.put(f"{simulator_url}/_sim/faults/webhooks", json={"batch": batch})
        processes.append(spawn("wahub api", [str(WAHUB), "serve", "--role", "api", "--port", str(api_port)]))
        await listening(api_port, "wahub api")
        written: dict[str, float] = {}
        seen = Seen()
        follower = asyncio.create_task(follow_events(api_url, seen))
        await asyncio.sleep(0.5)  # the stream is open before the worker applies anything
        processes.append(spawn("wahub worker", [str(WAHUB), "serve", "--role", "worker"]))
        while "wahub worker applying" not in (logs / "wahub worker.out").read_text():
            if processes[-1].popen.poll() is not None:
                raise RuntimeError(f"the worker exited: {(logs / 'wahub worker.out').read_text()}")
            await asyncio.sleep(0.1)
        start = seen.start = time.time()
        seen.per_second.clear()
        backlog: list[tuple[int, int, int, int]] = []
        stored_before, unapplied_before = inbox_counts(data_dir / "wahub.db")
        async with aiohttp.ClientSession() as session:
            writing = asyncio.create_task(customers_write(simulator_url, inbound, seconds, written))
            for process in processes:
                process.sample()
            for second in range(int(seconds)):
                await asyncio.sleep(start + second + 1 - time.time())
                stored, unapplied = inbox_counts(data_dir / "wahub.db")
                backlog.append((second + 1, stored, stored - unapplied, unapplied))
            for process in processes:
                process.sample()
            end = time.time()
            await writing
            async with session.get(f"{simulator_url}/_bench/sends") as answer:
                sends = await answer.json()
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    finally:
        for process in reversed(processes):
            process.stop()
    return report(seconds, inbound, status_delay, batch, start, end, sends, written, seen, backlog, processes,
                  load_before, os.getloadavg(), stored_before - unapplied_before)


def report(seconds: float, inbound: float, status_delay: float, batch: int, start: float, end: float, sends: dict[str, Any],
           written: dict[str, float], seen: Seen, backlog: list[tuple[int, int, int, int]],
           processes: list[Process], load_before: tuple[float, ...], load_after: tuple[float, ...],
           applied_before: int) -> int:
    accepted = sorted(t for t in sends["accepted"] if start <= t <= end)
    first = accepted[0] if accepted else start
    steady = [t for t in accepted if first + WARM_UP <= t < end]
    rate = len(steady) / max(end - first - WARM_UP, 1e-9)
    most = max_in_window(accepted)
    latencies = [(seen.visible_at[w] - t) * 1000 for w, t in written.items() if w in seen.visible_at]
    unseen = len(written) - len(latencies)
    stored = backlog[-1][1] if backlog else 0
    applied = (backlog[-1][2] if backlog else 0) - applied_before
    streamed = sum(seen.by_type.values())
    wall = end - start
    cpu = {p.name: (p.cpu[-1] - p.cpu[0]) if len(p.cpu) >= 2 else float("nan") for p in processes}
    wahub_cpu = cpu["wahub api"] + cpu["wahub worker"]
    print(f"full tier, {seconds:g} s: limit {LIMIT}/s, customers writing {inbound:g}/s, statuses {status_delay:g} s apart,"
          f" up to {batch} webhook entries per POST;"
          f" load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (2 cores, shared)")
    print()
    print(f"sends accepted by Meta      {len(accepted):>9,}   steady rate {rate:,.1f}/s ({(rate - LIMIT) / LIMIT * 100:+.2f} %"
          f" vs the limit)   most in any 1 s: {most:,}{'  ABOVE THE LIMIT' if most > LIMIT else ''}")
    print(f"refused by Meta             {', '.join(f'{code}: {n}' for code, n in sends['refused'].items()) or '0 x 130429'}")
    events = streamed - len(accepted)  # every message.status but the dispatcher's own `accepted` comes from a webhook
    print(f"webhook POSTs stored (acked) {stored:>8,}   {stored / wall:,.0f}/s")
    print(f"webhook POSTs applied       {applied:>9,}   {applied / wall:,.0f}/s   backlog at the end {backlog[-1][3] if backlog else 0:,}")
    print(f"webhook events visible      {events:>9,}   {events / wall:,.0f}/s   (stream: "
          + ", ".join(f"{kind}: {n:,}" for kind, n in seen.by_type.most_common()) + ", less the sends' `accepted`)")
    print(f"customer message -> visible p50 {percentile(latencies, 50):,.0f} ms  p99 {percentile(latencies, 99):,.0f} ms"
          f"  max {max(latencies, default=float('nan')):,.0f} ms  ({len(latencies):,} seen, {unseen:,} not seen by the end)")
    print(f"wahub CPU (api + worker)    {wahub_cpu:,.1f} s:  {wahub_cpu / max(len(accepted), 1) * 1e6:,.0f} us per send, "
          f"{wahub_cpu / max(events, 1) * 1e6:,.0f} us per webhook event, {wahub_cpu / max(len(accepted) + events, 1) * 1e6:,.0f} us per (send or event)")
    for process in processes:
        print(f"  {process.name:<13} CPU {cpu[process.name]:>6,.1f} s ({cpu[process.name] / wall * 100:>4.0f} % of a core)"
              f"   RSS {max(process.rss_mb, default=float('nan')):>6,.0f} MB")
    print()
    print("second | POSTs stored | POSTs applied | backlog (stored, not applied)")
    for second, posts, done, depth in backlog:
        print(f"{second:>6} | {posts:>12,} | {done:>13,} | {depth:>8,}")
    return 1 if most > LIMIT else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--inbound", type=float, default=100.0, help="customer messages per second")
    parser.add_argument("--status-delay", type=float, default=1.0, help="seconds between sent, delivered and read")
    parser.add_argument("--batch", type=int, default=1, help="webhook entries the simulator may put in one POST")
    parser.add_argument("--serve-simulator", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--webhook-port", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_simulator is not None:
        serve_simulator(arguments.serve_simulator, arguments.webhook_port, arguments.status_delay)
        sys.exit(0)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        sys.exit(runner.run(run(arguments.seconds, arguments.inbound, arguments.status_delay, arguments.batch)))
