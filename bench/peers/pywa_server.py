"""pywa's own webhook server (Starlette under uvicorn), storing each update the way a pywa bot would.

pywa verifies the HMAC, answers 200, and only then runs the handlers as a Starlette background
task (in a worker thread): here a raw-update handler that commits the update to SQLite (WAL,
synchronous=FULL, one commit per message, one connection behind a lock). The bench counts how many
acknowledged POSTs were stored. Needs starlette (`pip install 'pywa[server]'`); bench only.

    python bench/peers/pywa_server.py --port 8002 --db /tmp/x/pywa.db --secret s
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from bare_litestar import SCHEMA  # the same table as the other peer: bench/peers is on sys.path when run
from pywa import WhatsApp, types

PHONE_NUMBER_ID = "106540352242922"


def build_app(db: Path, secret: str) -> Any:
    connection = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.executescript(SCHEMA)
    lock = threading.Lock()

    wa = WhatsApp(
        phone_id=PHONE_NUMBER_ID,
        token="bench-dummy-token",
        verify_token="bench-verify-token",
        app_secret=secret,
        webhook_endpoint="/webhook",
        skip_duplicate_updates=False,  # the bench posts one body over and over: store every one
    )

    @wa.on_raw_update()
    def store(_: WhatsApp, update: types.RawUpdate) -> None:
        with lock:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO inbox (untrusted_body, received_at) VALUES (?, ?)",
                (json.dumps(update).encode(), time.time_ns() // 1000),
            )
            connection.execute("COMMIT")

    os.environ["PYWA_LOG_LEVEL"] = "warning"  # `wa.run(log_level="warning")`, like the other servers
    return wa._setup_and_get_starlette_app()  # what `wa.run()` serves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--secret", required=True)
    arguments = parser.parse_args()
    app = build_app(arguments.db, arguments.secret)
    # As `wa.run()` does (access log off), at warning level like the other servers.
    uvicorn.run(app, host="127.0.0.1", port=arguments.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
