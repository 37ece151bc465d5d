"""Fleet figures on the emulators: ingest and end-to-end throughput with 1, 2 and 4 worker processes.

    python bench/scale.py [--posts 2000] [--workers 1 2 4]

Starts the Firestore and Pub/Sub emulators (own process groups, always stopped), then for each worker count:
one `wahub serve --role api` (WAHUB_STORE=firestore, WAHUB_QUEUE=pubsub, sandbox mode) and that many
`--role worker` processes. It POSTs `--posts` signed webhook POSTs (one customer message each) at IN_FLIGHT
at a time and reports

- ingest: POSTs answered 200 per second (stored in Firestore and published on Pub/Sub), and
- end to end: POSTs applied per second, from the first POST to the last processed mark in Firestore,

with the scaling ratio against one worker. In the same run it measures the emulator's own document create
rate at IN_FLIGHT in flight (a bare `set` of a document the size of a stored POST), the ceiling ingest is
compared with. The emulators are single Java processes on this machine: the figures describe wahub's code
paths and how they share the machine, not production Firestore or Pub/Sub. Say the machine's load with them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.firestore.emulator import FirestoreEmulator  # noqa: E402
from adapters.pubsub.emulator import PubSubEmulator  # noqa: E402
from domain.webhook_signature import sign  # noqa: E402
from tests.unit.application.meta_webhooks import envelope, messages_change, text_message  # noqa: E402

PROJECT = "wahub-bench"
IN_FLIGHT = 64
SECRET = "bench-app-secret"
WAHUB = Path(sys.executable).with_name("wahub")


def body(n: int) -> bytes:
    customer = f"1650{n:07d}"
    message = text_message(wamid=f"wamid.SCALE{uuid.uuid4().hex}", sender=customer, body="hello", at=datetime.now(UTC))
    return envelope(messages_change(messages=[message]))


async def create_rate(count: int) -> float:
    client = firestore.AsyncClient(project=PROJECT)
    payload = body(0)
    collection = client.collection(f"bench_{uuid.uuid4().hex[:8]}")
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one() -> None:
        async with gate:
            await collection.document().set({"body": payload, "received_at": datetime.now(UTC), "processed": False})

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    elapsed = time.perf_counter() - started
    client.close()
    return count / elapsed


async def unprocessed(client: firestore.AsyncClient) -> int:
    query = client.collection("inbox").where(filter=FieldFilter("processed", "==", False)).count()
    result = await query.get()
    return int(result[0][0].value)


async def run(workers: int, posts: int, environment: dict[str, str], logs: Path) -> tuple[float, float]:
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="wahub-scale-"))
    env = environment | {"WAHUB_DATA_DIR": str(data), "WAHUB_PUBSUB_PREFIX": f"scale{uuid.uuid4().hex[:8]}"}
    processes = [_spawn([str(WAHUB), "serve", "--role", "api", "--port", str(port)], env, logs / f"api-{workers}.txt")]
    client = firestore.AsyncClient(project=PROJECT)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            while True:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            for index in range(workers):
                processes.append(_spawn([str(WAHUB), "serve", "--role", "worker"], env, logs / f"worker-{workers}-{index}.txt"))
            await asyncio.sleep(3.0)  # the workers follow the API and pull
            bodies = [body(n) for n in range(posts)]
            gate = asyncio.Semaphore(IN_FLIGHT)

            async def post(raw: bytes) -> None:
                async with gate:
                    reply = await http.post("/webhook", content=raw, headers={"x-hub-signature-256": sign(SECRET.encode(), raw)})
                    assert reply.status_code == 200, reply.text

            started = time.perf_counter()
            await asyncio.gather(*(post(raw) for raw in bodies))
            ingested = time.perf_counter() - started
            while await unprocessed(client) > 0:
                await asyncio.sleep(0.2)
            applied = time.perf_counter() - started
        return posts / ingested, posts / applied
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        client.close()


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def main(posts: int, worker_counts: list[int]) -> None:
    firestore_emulator, pubsub_emulator = FirestoreEmulator(PROJECT), PubSubEmulator(PROJECT)
    logs = Path(tempfile.mkdtemp(prefix="wahub-scale-logs-"))
    try:
        environment = {
            **os.environ,
            "WAHUB_STORE": "firestore",
            "WAHUB_FIRESTORE_PROJECT": PROJECT,
            "WAHUB_QUEUE": "pubsub",
            "WAHUB_APP_SECRET": SECRET,
            "FIRESTORE_EMULATOR_HOST": firestore_emulator.host(),
            "PUBSUB_EMULATOR_HOST": pubsub_emulator.host(),
        }
        print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores; {posts} POSTs, {IN_FLIGHT} in flight")
        await create_rate(IN_FLIGHT * 4)  # warm-up: the client's channel, the emulator's JIT
        ceiling = await create_rate(posts)
        print(f"emulator document creates: {ceiling:,.0f}/s")
        base: float | None = None
        for workers in worker_counts:
            firestore_emulator.clear()
            ingest, end_to_end = await run(workers, posts, environment, logs)
            base = base or end_to_end
            print(
                f"workers={workers}: ingest {ingest:,.0f} POSTs/s ({ingest / ceiling:.0%} of creates), "
                f"end to end {end_to_end:,.0f} POSTs/s (x{end_to_end / base:.2f} of one worker)"
            )
        print(f"load average after: {os.getloadavg()}; process logs in {logs}")
    finally:
        firestore_emulator.stop()
        pubsub_emulator.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.posts, arguments.workers))
