"""Resident memory of `wahub serve` under unsigned webhook traffic: N concurrent 3 MiB POSTs, none signed.

Anyone can POST to /webhook; until the HMAC is checked the body is just bytes someone sent. This
starts `wahub serve` (Meta mode, dummy credentials, SQLite in a temp dir, the Graph URL at a closed
port), waits until it answers, reads its resident set (VmRSS) and then sends N POSTs of 3 MiB at
once, each over its own connection, with a wrong signature. It reports the kernel's high-water mark
of the server's resident set (VmHWM, so no peak is missed between samples), the answers by status,
and the server's CPU seconds.

    python bench/unsigned_webhooks.py                       # this checkout, 100 POSTs
    python bench/unsigned_webhooks.py --root /tmp/before    # another checkout (e.g. from `git archive`)
    python bench/unsigned_webhooks.py --posts 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BODY_BYTES = 3 * 1024 * 1024
CHUNK = 64 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def unsigned_post(port: int) -> str:
    """One POST of BODY_BYTES with a wrong signature; the status code, or what ended the exchange."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as error:
        return f"connect: {error.strerror}"
    head = (
        "POST /webhook HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: sha256={'0' * 64}\r\nContent-Length: {BODY_BYTES}\r\nConnection: close\r\n\r\n"
    )
    chunk = b"x" * CHUNK
    try:
        writer.write(head.encode())
        for _ in range(BODY_BYTES // CHUNK):
            writer.write(chunk)
            await writer.drain()
        status_line = await reader.readline()
        return status_line.split()[1].decode() if status_line else "closed"
    except (ConnectionError, OSError) as error:
        return f"write: {type(error).__name__}"
    finally:
        writer.close()


async def flood(port: int, posts: int) -> Counter[str]:
    return Counter(await asyncio.gather(*(unsigned_post(port) for _ in range(posts))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose wahub runs (default: this one)")
    parser.add_argument("--posts", type=int, default=100)
    arguments = parser.parse_args()
    port, closed = free_port(), free_port()
    with tempfile.TemporaryDirectory() as work:
        env = {
            **os.environ,
            "PYTHONPATH": str(arguments.root),
            "WAHUB_STORE": "sqlite",
            "WAHUB_DATA_DIR": work,
            "WAHUB_ACCESS_TOKEN": "bench-dummy-token",
            "WAHUB_PHONE_NUMBER_ID": "106540352242922",
            "WAHUB_WABA_ID": "102290129340398",
            "WAHUB_APP_SECRET": "bench-app-secret",
            "WAHUB_VERIFY_TOKEN": "bench-verify-token",
            "WAHUB_GRAPH_URL": f"http://127.0.0.1:{closed}",
        }
        command = [sys.executable, "-c", "import sys; from entrypoints.cli import main; sys.exit(main())"]
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port)], env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("wahub serve did not start")
                time.sleep(0.1)
            time.sleep(1.0)
            before_kib, cpu_before = status_kib(server.pid, "VmRSS"), cpu_seconds(server.pid)
            started = time.monotonic()
            answers = asyncio.run(flood(port, arguments.posts))
            seconds = time.monotonic() - started
            peak_kib, after_kib = status_kib(server.pid, "VmHWM"), status_kib(server.pid, "VmRSS")
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"checkout        {arguments.root}")
    print(f"POSTs           {arguments.posts} concurrent x {BODY_BYTES:,} bytes, wrong signature")
    print(f"answers         {dict(sorted(answers.items()))}")
    print(f"resident before {before_kib / 1024:.0f} MiB")
    print(f"resident peak   {peak_kib / 1024:.0f} MiB (VmHWM)   growth {(peak_kib - before_kib) / 1024:.0f} MiB")
    print(f"resident after  {after_kib / 1024:.0f} MiB")
    print(f"took            {seconds:.2f} s, server CPU {cpu:.2f} s")


if __name__ == "__main__":
    main()
