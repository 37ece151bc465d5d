"""The peer: a bare Litestar handler that verifies the HMAC, commits the raw body to SQLite, then answers 200.

One commit per request, run inline on the event loop (the simplest correct handler: the 200 goes
out only after the commit). Same table and partial index as wahub's inbox, WAL mode; synchronous
is FULL (as durable as wahub: every acknowledged body survives power loss) or NORMAL (WAL's usual
setting, which may lose the last commits on power loss) to show what durability costs.

    python bench/peers/bare_litestar.py --port 8001 --db /tmp/x/peer.db --secret s --synchronous FULL
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import sqlite3
import time
from pathlib import Path
from typing import Any

import uvicorn
from litestar import Litestar, Request, post
from litestar.response import Response

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    untrusted_body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    processed_at INTEGER
);
CREATE INDEX IF NOT EXISTS inbox_unprocessed ON inbox (received_at, seq) WHERE processed_at IS NULL;
"""


def build_app(db: Path, secret: bytes, synchronous: str) -> Litestar:
    connection = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(f"PRAGMA synchronous = {synchronous}")
    connection.executescript(SCHEMA)

    @post("/webhook", status_code=200, media_type="text/plain")
    async def receive(request: Request[Any, Any, Any]) -> Response[str]:
        body = await request.body()
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("x-hub-signature-256", "").encode(), expected.encode()):
            return Response("Forbidden", status_code=403, media_type="text/plain")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO inbox (untrusted_body, received_at) VALUES (?, ?)", (body, time.time_ns() // 1000)
        )
        connection.execute("COMMIT")
        return Response("OK", media_type="text/plain")

    return Litestar(route_handlers=[receive], on_shutdown=[connection.close])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL")
    arguments = parser.parse_args()
    app = build_app(arguments.db, arguments.secret.encode(), arguments.synchronous)
    uvicorn.run(app, host="127.0.0.1", port=arguments.port, log_level="warning")  # as `wahub serve` runs it


if __name__ == "__main__":
    main()
