"""Webhook ingest figures: signed Meta POSTs per second, p50/p99, and how many acknowledged POSTs were stored.

Each server runs as its own process pinned to core 0 (`taskset -c 0`); wrk drives it from core 1
with one realistic signed text-message webhook (X-Hub-Signature-256 computed once). After each run
the rows actually committed are counted and compared with the 2xx answers wrk received: a server
that acknowledges before it stores shows fewer stored than acknowledged.

    python bench/webhook.py            # 10 s + 5 s per server (~1.5 minutes in all)
    python bench/webhook.py --quick    # 3 s + 2 s per server, a smoke run
    python bench/webhook.py --only wahub,bare-full --duration 20 --connections 64

Servers:
    wahub        `wahub serve` (create_app over the real container, SQLite store in a temp dir) in Meta
                 mode with dummy credentials and WAHUB_GRAPH_URL at a closed loopback port
    bare-full    bench/peers/bare_litestar.py: verify HMAC, INSERT + COMMIT (WAL, synchronous=FULL), 200
    bare-normal  the same with synchronous=NORMAL (may lose the last commits on power loss)
    pywa         bench/peers/pywa_server.py: pywa's own webhook server, storing in a handler (needs starlette)

Needs wrk (Debian: `apt-get install -y wrk`) and taskset (util-linux).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE = "0"
LOAD_CORE = "1"
APP_SECRET = "bench-app-secret-0123456789abcdef"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
ADMIN_KEY = "wahub_bench_admin_key_0123456789abcdefghijklmn"


def webhook_body() -> bytes:
    """A text message as Meta's Cloud API sends it (v23 envelope), compact JSON as Meta posts it."""
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                            "messages": [
                                {
                                    "from": "16505551234",
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                                    "timestamp": "1749416383",
                                    "type": "text",
                                    "text": {"body": "Does it come in another color?"},
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def lua_script(body: bytes, signature: str) -> str:
    """wrk POSTs the same signed body; `done` prints one parseable line (latencies in microseconds)."""
    text = body.decode()
    assert "]==]" not in text
    return f"""
wrk.method = "POST"
wrk.body = [==[{text}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature-256"] = "{signature}"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d non2xx=%d socket=%d p50=%d p99=%d duration=%d\\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
"""


@dataclass(frozen=True)
class Server:
    name: str
    what: str
    command: list[str]
    env: dict[str, str]
    db: Path
    table: str = "inbox"


@dataclass(frozen=True)
class Figures:
    server: Server
    requests: int
    acked: int
    socket_errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    stored: int
    stored_in_run: int
    light_acked: int
    light_per_second: float
    light_p50_ms: float
    light_p99_ms: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.acked / self.seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def servers(work: Path, names: list[str]) -> Iterator[tuple[Server, int]]:
    python = sys.executable
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in names:
        port = free_port()
        data = work / name
        data.mkdir(parents=True)
        if name in ("wahub", "wahub-split"):
            closed = free_port()  # nothing listens there: start-up's template sync is refused at once
            meta = {
                "WAHUB_STORE": "sqlite",
                "WAHUB_ACCESS_TOKEN": "bench-dummy-token",
                "WAHUB_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
                "WAHUB_WABA_ID": WABA_ID,
                "WAHUB_APP_SECRET": APP_SECRET,
                "WAHUB_VERIFY_TOKEN": "bench-verify-token",
                "WAHUB_GRAPH_URL": f"http://127.0.0.1:{closed}",
                "WAHUB_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            }
            split = ["--role", "api"] if name == "wahub-split" else []
            yield Server(
                name, "wahub serve --role api, and a worker process" if split else "wahub serve (Meta mode, SQLite, workers on)",
                [python, "-m", "entrypoints.cli", "serve", "--port", str(port), "--data-dir", str(data), *split],
                {**env, **meta}, data / "wahub.db",
            ), port
        elif name in ("bare-full", "bare-normal"):
            synchronous = "FULL" if name == "bare-full" else "NORMAL"
            yield Server(
                name, f"bare Litestar, commit per request, synchronous={synchronous}",
                [python, str(ROOT / "bench" / "peers" / "bare_litestar.py"), "--port", str(port),
                 "--db", str(data / "peer.db"), "--secret", APP_SECRET, "--synchronous", synchronous],
                env, data / "peer.db",
            ), port
        elif name == "pywa":
            yield Server(
                name, "pywa 4.x webhook server (answers, then stores)",
                [python, str(ROOT / "bench" / "peers" / "pywa_server.py"), "--port", str(port),
                 "--db", str(data / "pywa.db"), "--secret", APP_SECRET],
                env, data / "pywa.db",
            ), port
        else:
            raise SystemExit(f"unknown server {name!r}")


@contextlib.contextmanager
def running(server: Server, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE, *server.command], env=server.env, cwd=ROOT, stdout=out, stderr=out
        )
        try:
            wait_listening(process, port, log)
            yield process
        finally:
            stop(process)


def wait_listening(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 30.0) -> None:
    """Ready once an HTTP request gets any answer: `wahub serve` binds its port before the app's start-up
    (lifespan) and answers only after it, so a connection alone proves nothing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2) as probe:
            probe.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            if probe.recv(1):
                return
        time.sleep(0.1)
    raise SystemExit(f"server not listening on {port} after {timeout} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)  # then killed, as a restart would: a backlog not yet stored is lost
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, int]:
    command = [
        "taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
        "--timeout", "5s", "-s", str(script), url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True)
    match = re.search(r"^BENCH (.*)$", result.stdout, re.MULTILINE)
    if match is None:
        raise SystemExit(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    return {key: int(value) for key, value in (pair.split("=") for pair in match.group(1).split())}


def stored_rows(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def measure(
    server: Server, work: Path, port: int, script: Path, seconds: int, connections: int, light: int
) -> Figures:
    """Saturated (`connections` in flight) for throughput, then lighter (`light` in flight) for latency."""
    url = f"http://127.0.0.1:{port}/webhook"
    with running(server, port, work / f"{server.name}.log") as process:
        wrk(url, script, 1, connections)  # warm-up: imports, caches, the first pages of the file
        before = settled_rows(server)
        cpu_before = cpu_seconds(process.pid)
        summary = wrk(url, script, seconds, connections)
        cpu = cpu_seconds(process.pid) - cpu_before
        stored_in_run = stored_rows(server.db, server.table) - before  # at once: what was durable when wrk stopped
        settled_rows(server)
        calm = wrk(url, script, max(seconds // 2, 2), light)
        settled_rows(server)  # a server that answers first gets up to 2 s more to store what it acknowledged
    stored = stored_rows(server.db, server.table) - before  # stopped: every commit is in the file
    calm_acked = calm["requests"] - calm["non2xx"]
    return Figures(
        server=server,
        requests=summary["requests"] + calm["requests"],
        acked=summary["requests"] - summary["non2xx"],
        socket_errors=summary["socket"] + calm["socket"],
        seconds=summary["duration"] / 1e6,
        p50_ms=summary["p50"] / 1000,
        p99_ms=summary["p99"] / 1000,
        stored=stored,
        stored_in_run=stored_in_run,
        light_acked=calm_acked,
        light_per_second=calm_acked / (calm["duration"] / 1e6),
        light_p50_ms=calm["p50"] / 1000,
        light_p99_ms=calm["p99"] / 1000,
        cpu_seconds=cpu,
    )


def settled_rows(server: Server) -> int:
    """Give a server that stores after answering up to 2 s to catch up (pywa needs minutes: its backlog stays)."""
    count = stored_rows(server.db, server.table)
    for _ in range(4):
        time.sleep(0.5)
        count, previous = stored_rows(server.db, server.table), count
        if count == previous:
            break
    return count


def cpu_seconds(pid: int) -> float:
    """User + system time of the server (all its threads): on a shared machine, CPU per request is steadier than req/s."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def uvicorn_stack() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn loop={loop} http={http}"


def check_tools(tools: tuple[str, ...] = ("wrk", "taskset")) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: install with `apt-get install -y wrk util-linux` (Debian/Ubuntu)"
        )
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("needs two cores: the server on core 0, wrk on core 1")


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, Python {sys.version.split()[0]}, {uvicorn_stack()}"


def table(results: list[Figures], connections: int, light: int) -> str:
    saturated, calm = f"-c{connections}", f"-c{light}"
    header = (
        f"{'server':<12} {saturated + ' req/s':>11} {'p50 ms':>7} {'p99 ms':>7} | {calm + ' req/s':>11} {'p50 ms':>7}"
        f" {'p99 ms':>7} | {'CPU us/req':>10} | {'stored/s':>8} {'in run':>6} | {'acked':>7} {'stored':>7}  stored/acked"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        acked = r.acked + r.light_acked
        ratio = r.stored / acked if acked else 0.0
        lines.append(
            f"{r.server.name:<12} {r.per_second:>11,.0f} {r.p50_ms:>7.2f} {r.p99_ms:>7.2f} | {r.light_per_second:>11,.0f}"
            f" {r.light_p50_ms:>7.2f} {r.light_p99_ms:>7.2f} | {r.cpu_seconds * 1e6 / max(r.acked, 1):>10,.0f} |"
            f" {r.stored_in_run / r.seconds:>8,.0f} {r.stored_in_run / max(r.acked, 1):>6.2f} |"
            f" {acked:>7} {r.stored:>7}  {ratio:.3f}"
            + (f"  ({r.requests - acked} non-2xx)" if r.requests != acked else "")
            + (f"  ({r.socket_errors} socket errors)" if r.socket_errors else "")
        )
    return "\n".join(lines)


# --- Open loop: fixed offered rates, ingest and end to end apart ------------------------------------------


def unique_bodies(count: int) -> list[tuple[bytes, str, str]]:
    """`count` text-message webhooks, each its own wamid (so each is applied, not deduplicated), with signatures."""
    template = webhook_body().decode()
    bodies = []
    for n in range(count):
        wamid = f"wamid.BENCH{n:012d}"
        body = template.replace("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", wamid)
        body = body.replace("16505551234", f"1650{n % 5000:07d}")
        encoded = body.encode()
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), encoded, hashlib.sha256).hexdigest()
        bodies.append((encoded, signature, wamid))
    return bodies


@dataclass
class OpenLoopFigures:
    name: str
    rate: int
    offered: int
    acked: int
    errors: int
    ack_ms: list[float]
    visible_ms: list[float]
    backlog: list[int]
    cpu_us_per_post: float

    def row(self) -> str:
        ack = sorted(self.ack_ms)
        visible = sorted(self.visible_ms)
        end_to_end = (
            f"{nearest(visible, 50):>8,.0f} {nearest(visible, 99):>8,.0f} {max(visible, default=float('nan')):>8,.0f}"
            f" {len(visible) / max(self.acked, 1) * 100:>6.1f} %"
            if self.visible_ms or self.name.startswith("wahub") else f"{'-':>8} {'-':>8} {'-':>8} {'-':>8}"
        )
        trend = " ".join(f"{b:,}" for b in self.backlog) if self.backlog else "-"
        return (f"{self.name:<12} {self.rate:>6,} | {self.acked / OPEN_LOOP_SECONDS:>7,.0f} {nearest(ack, 50):>7.1f}"
                f" {nearest(ack, 99):>7.1f} {max(ack, default=float('nan')):>8.1f} {self.errors:>6} |"
                f" {end_to_end} | {self.cpu_us_per_post:>6,.0f} | {trend}")


OPEN_LOOP_SECONDS = 10
OPEN_LOOP_HEADER = (
    f"{'server':<12} {'offered':>6} | {'acked/s':>7} {'ack p50':>7} {'p99 ms':>7} {'max ms':>8} {'errors':>6} |"
    f" {'visible p50':>8} {'p99':>8} {'max ms':>8} {'seen':>8} | {'CPU us':>6} | backlog each second (stored, not applied)"
)


def nearest(ranked: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values: one that was measured."""
    if not ranked:
        return float("nan")
    return ranked[min(len(ranked) - 1, max(0, -(-len(ranked) * int(p) // 100) - 1))]


async def offer(url: str, bodies: list[tuple[bytes, str, str]], rate: int, sent_at: dict[str, float]) -> tuple[list[float], int]:
    """Open loop: POST n leaves at start + n / rate whatever the answers take; its latency counts from then."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        calls: set[asyncio.Task[None]] = set()

        async def post(body: bytes, signature: str, wamid: str, due: float) -> None:
            nonlocal errors
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
            sent_at[wamid] = due
            try:
                async with session.post(url, data=body, headers=headers) as answer:
                    await answer.read()
                    if answer.status != 200:
                        errors += 1
                        return
            except (TimeoutError, aiohttp.ClientError):
                errors += 1
                return
            latencies.append((time.time() - due) * 1000)

        start = time.time()
        for n, (body, signature, wamid) in enumerate(bodies):
            due = start + n / rate
            if (wait := due - time.time()) > 0:
                await asyncio.sleep(wait)
            task = asyncio.create_task(post(body, signature, wamid, due))
            calls.add(task)
            task.add_done_callback(calls.discard)
        await asyncio.gather(*calls)
    return latencies, errors


async def follow_visible(url: str, visible_at: dict[str, float]) -> None:
    """wahub's event stream: a message is visible through the API once `message.received` for it is published."""
    import aiohttp

    headers = {"authorization": f"Bearer {ADMIN_KEY}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
        async with session.get(f"{url}/v1/events", headers=headers) as stream:
            event = ""
            async for raw in stream.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "message.received":
                    wamid = json.loads(line[5:]).get("wamid")
                    if wamid is not None:
                        visible_at.setdefault(wamid, time.time())


def unapplied(db: Path) -> int:
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return int(connection.execute("SELECT count(*) FROM inbox WHERE processed_at IS NULL").fetchone()[0])


async def open_loop_run(server: Server, processes: list[subprocess.Popen[bytes]], port: int, rate: int) -> OpenLoopFigures:
    bodies = unique_bodies(rate * OPEN_LOOP_SECONDS)
    url = f"http://127.0.0.1:{port}"
    sent_at: dict[str, float] = {}
    visible_at: dict[str, float] = {}
    is_wahub = server.name.startswith("wahub")
    follower = asyncio.create_task(follow_visible(url, visible_at)) if is_wahub else None
    await asyncio.sleep(0.5)
    backlog: list[int] = []

    async def sample() -> None:
        while True:
            await asyncio.sleep(1.0)
            backlog.append(unapplied(server.db) if is_wahub else 0)

    sampler = asyncio.create_task(sample())
    cpu = sum(cpu_seconds(p.pid) for p in processes)
    latencies, errors = await offer(f"{url}/webhook", bodies, rate, sent_at)
    cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu
    sampler.cancel()
    if follower is not None:
        await asyncio.sleep(1.0)  # what is applied within a second of the last POST still counts
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    visible = [(visible_at[w] - t) * 1000 for w, t in sent_at.items() if w in visible_at]
    return OpenLoopFigures(
        name=server.name, rate=rate, offered=len(bodies), acked=len(latencies), errors=errors, ack_ms=latencies,
        visible_ms=visible, backlog=backlog if is_wahub else [], cpu_us_per_post=cpu * 1e6 / max(len(latencies), 1),
    )


def open_loop(work: Path, names: list[str], rates: list[int]) -> None:
    """Each server, fresh, at each offered rate; the load generator on core 1, the server on core 0
    (`wahub-split`: its API process on core 0, its worker process on core 1 beside the generator)."""
    import uvloop

    print(f"open loop: {OPEN_LOOP_SECONDS} s per rate, every POST its own wamid; load generator (aiohttp) on core "
          f"{LOAD_CORE}; load average {os.getloadavg()[0]:.2f}")
    print(OPEN_LOOP_HEADER)
    print("-" * len(OPEN_LOOP_HEADER))
    os.sched_setaffinity(0, {int(LOAD_CORE)})
    for rate in rates:
        for server, port in servers(work / f"open-{rate}", names):
            with running(server, port, work / f"{server.name}-{rate}.log") as process:
                processes = [process]
                with worker_beside(server) as worker:
                    if worker is not None:
                        processes.append(worker)
                    figures = uvloop.run(open_loop_run(server, processes, port, rate))
            print(figures.row(), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


@contextlib.contextmanager
def worker_beside(server: Server) -> Iterator[subprocess.Popen[bytes] | None]:
    if server.name != "wahub-split":
        yield None
        return
    log = server.db.parent / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            ["taskset", "-c", LOAD_CORE, sys.executable, "-m", "entrypoints.cli", "serve", "--role", "worker",
             "--data-dir", str(server.db.parent)],
            env=server.env, cwd=ROOT, stdout=out, stderr=out,
        )
        try:
            deadline = time.monotonic() + 30
            while b"wahub worker applying" not in log.read_bytes():
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the worker did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
            yield worker
        finally:
            stop(worker)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s per server instead of 10")
    parser.add_argument("--duration", type=int, help="seconds per server (overrides --quick)")
    parser.add_argument("--connections", type=int, default=64, help="in flight for the throughput run")
    parser.add_argument("--light", type=int, default=16, help="in flight for the latency run that follows it")
    parser.add_argument("--only", default="wahub,bare-full,bare-normal,pywa", help="comma-separated servers")
    parser.add_argument("--open-loop", metavar="RATES",
                        help="instead: offer POSTs at these fixed rates (e.g. 1000,2000,4000), ingest and end to end"
                             " apart; servers as --only, plus wahub-split (api and worker processes)")
    arguments = parser.parse_args()
    check_tools(("taskset",) if arguments.open_loop else ("wrk", "taskset"))
    seconds = arguments.duration or (3 if arguments.quick else 10)
    names = [n for n in arguments.only.split(",") if n]
    if "wahub-split" in names and not arguments.open_loop:
        raise SystemExit("wahub-split is measured in the open loop only (--open-loop)")
    if "pywa" in names and importlib.util.find_spec("starlette") is None:
        print("pywa: skipped (its server needs starlette: `.venv/bin/pip install 'pywa[server]'`)")
        names.remove("pywa")

    if arguments.open_loop:
        print(machine())
        with tempfile.TemporaryDirectory(prefix="wahub-bench-") as tmp:
            open_loop(Path(tmp), names, [int(rate) for rate in arguments.open_loop.split(",")])
        return 0
    body = webhook_body()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    print(machine())
    print(f"body {len(body)} bytes; wrk -t1 -c{arguments.connections} -d{seconds}s, then "
          f"-c{arguments.light} -d{max(seconds // 2, 2)}s, on core {LOAD_CORE}; servers on core {SERVER_CORE}")
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="wahub-bench-") as tmp:
        work = Path(tmp)
        script = work / "post.lua"
        script.write_text(lua_script(body, signature))
        for server, port in servers(work, names):
            figures = measure(server, work, port, script, seconds, arguments.connections, arguments.light)
            print(f"  {server.name}: {figures.per_second:,.0f}/s  ({server.what})", flush=True)
            results.append(figures)
    print()
    print(table(results, arguments.connections, arguments.light))
    by_name = {r.server.name: r for r in results}
    if "wahub" in by_name:
        wahub = by_name["wahub"]
        print()
        for peer in ("bare-full", "bare-normal", "pywa"):
            if peer in by_name:
                other = by_name[peer]
                cpu = (other.cpu_seconds / max(other.acked, 1)) / (wahub.cpu_seconds / max(wahub.acked, 1))
                print(f"wahub / {peer}: {wahub.per_second / other.per_second:.2f}x req/s,"
                      f" {wahub.stored_in_run / max(other.stored_in_run, 1):.2f}x stored in the run,"
                      f" {cpu:.2f}x less CPU per request")
    lost = [r for r in results if r.stored < r.acked + r.light_acked]
    for r in lost:
        print(f"{r.server.name}: {r.acked + r.light_acked - r.stored} acknowledged POSTs never stored "
              "(SIGTERM, 5 s grace, then SIGKILL)")
    lost_names = [r.server.name for r in lost]
    return 1 if "wahub" in lost_names else 0


if __name__ == "__main__":
    sys.exit(main())
