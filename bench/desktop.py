"""The desktop inbox against a big sandbox: first page, UI-thread stalls while scrolling, live latency, memory.

A sandbox `wahub serve` holds 10,000 conversations and one thread of 5,000 messages (written into its
SQLite store through the inbox worker's own use case before the server starts, as if the webhooks
had come in). The real window then opens in this process (offscreen) and:
- first page: from creating the app (credentials given) to the first page of the list shown;
- list scroll: the list scrolled to its end, page after page (10,000 rows); thread scroll: the
  5,000-message thread scrolled to its top. Meanwhile a 10 ms timer beats on the UI thread and the
  longest gap between beats, less the 10 ms period, is the worst stall an agent would feel;
- live: a simulated customer writes (simulator POST answered) until the row is on top of the list;
  it includes the webhook delivery and its acknowledgement, so it bounds ack->visible from above;
- resident memory of this process at the end (the window, its models, Qt).
The peer, measured in the same run, is the client layer alone fetching the same first page (HTTP and
decoding, no Qt), so the window's own cost is the difference. CPU of this process per list page is printed.
Usage: .venv/bin/python bench/desktop.py [--conversations 10000] [--thread 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the e2e helpers that start `wahub serve`

from adapters.sqlite import open_sqlite_stores  # noqa: E402
from tests.e2e.support import ADMIN_KEY, customer_writes, data_dir, start_wahub, wahub_environment  # noqa: E402

BATCH = 500
THREAD_CUSTOMER = "16505550000"


def webhook(number: str, customer: str, n: int, at: datetime) -> bytes:
    message = {
        "from": customer,
        "id": f"wamid.DESKTOPBENCH{n}",
        "timestamp": str(int(at.timestamp())),
        "type": "text",
        "text": {"body": f"Message {n}: is my order on its way? It was due last week."},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001234", "phone_number_id": number},
        "contacts": [{"profile": {"name": f"Customer {customer[-5:]}"}, "wa_id": customer}],
        "messages": [message],
    }
    change = {"field": "messages", "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


async def seed(database: Path, number: str, conversations: int, thread: int) -> None:
    """Stored and applied as the inbox worker applies webhook POSTs (bench/inbox.py's processor)."""
    from adapters.clock import SystemClock
    from bench.inbox import processor

    stores = await open_sqlite_stores(database)
    try:
        clock, now = SystemClock(), datetime.now(UTC)
        posts = [
            webhook(number, THREAD_CUSTOMER, n, now - timedelta(hours=2, seconds=thread - n)) for n in range(thread)
        ] + [
            webhook(number, f"4477009{n:05d}", thread + n, now - timedelta(hours=1, seconds=conversations - n))
            for n in range(conversations - 1)
        ]
        process = processor(stores)
        for start in range(0, len(posts), BATCH):
            await asyncio.gather(*(stores.inbox.append(post, clock.now()) for post in posts[start : start + BATCH]))
            while (await process.process_pending(BATCH)).posts:
                pass
    finally:
        await stores.close()


class Heartbeat:
    """A 10 ms timer on the UI thread; the longest gap between two beats is the longest stall."""

    PERIOD_MS = 10

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer(interval=self.PERIOD_MS)
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def reset(self) -> None:
        self.longest, self._last = 0.0, time.perf_counter()

    @property
    def stall_ms(self) -> float:
        return max(0.0, self.longest * 1000 - self.PERIOD_MS)


def run_until(check: Callable[[], object], seconds: float = 300.0) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.perf_counter() + seconds
    while True:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if check():
            return
        if time.perf_counter() > deadline:
            raise SystemExit("bench: the window did not get there in time")


def main(conversations: int, thread: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="wahub-bench-desktop-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    (home / "home").mkdir()
    environment = wahub_environment(home / "home")
    first = start_wahub(environment, home / "logs")
    first.stop()
    number = json.loads((data_dir(home / "home") / "sandbox.json").read_text())["phone_number_id"]
    started = time.perf_counter()
    asyncio.run(seed(data_dir(home / "home") / "wahub.db", number, conversations, thread))
    print(f"seeded {conversations:,} conversations and a {thread:,}-message thread in {time.perf_counter() - started:.1f} s")
    server = start_wahub(environment, home / "logs")
    try:
        measure(server, conversations, thread)
    finally:
        server.stop()


def measure(server: object, conversations: int, thread: int) -> None:
    from PySide6.QtWidgets import QAbstractItemView

    from desktop.app import DesktopApp
    from desktop.client import WahubClient
    from desktop.window import application

    url = server.url  # type: ignore[attr-defined]
    peer = WahubClient(url, ADMIN_KEY)
    peer.conversations(limit=50)
    began = time.perf_counter()
    peer.conversations(limit=50)
    peer_ms = (time.perf_counter() - began) * 1000
    peer.close()

    qt = application()
    heartbeat = Heartbeat()
    cpu = time.process_time()
    began = time.perf_counter()
    app = DesktopApp(url, ADMIN_KEY)
    app.start()
    run_until(lambda: app.window is not None and app.window.inbox is not None and app.window.inbox.conversations.rowCount() > 0)
    first_page_ms = (time.perf_counter() - began) * 1000
    assert app.window is not None and app.window.inbox is not None
    window, inbox = app.window, app.window.inbox
    window.resize(1200, 760)
    window.show()
    startup_stall = heartbeat.stall_ms

    heartbeat.reset()
    cpu = time.process_time()
    view = inbox.conversation_list
    began = time.perf_counter()
    while inbox.conversations.rowCount() < conversations or inbox.conversations.canFetchMore():
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
        run_until(lambda: True)
    list_s = time.perf_counter() - began
    list_cpu = time.process_time() - cpu
    list_stall = heartbeat.stall_ms
    pages = -(-conversations // 50)

    rows = [inbox.conversations.conversation(r).customer_id for r in range(inbox.conversations.rowCount())]
    inbox.conversation_list.setCurrentIndex(inbox.conversations.index(rows.index(THREAD_CUSTOMER)))
    run_until(lambda: inbox.messages.rowCount() > 0)
    heartbeat.reset()
    began = time.perf_counter()
    thread_view = inbox.thread_view
    while inbox.messages.rowCount() < thread:
        thread_view.scrollToTop()
        thread_view.verticalScrollBar().setValue(0)
        run_until(lambda: True)
    thread_s = time.perf_counter() - began
    thread_stall = heartbeat.stall_ms
    thread_view.scrollTo(inbox.messages.index(0), QAbstractItemView.ScrollHint.PositionAtTop)

    inbox.conversation_list.scrollToTop()
    latencies = []
    simulator = server.simulator()  # type: ignore[attr-defined]
    for n in range(5):
        customer = f"3361234{n:04d}"
        began = time.perf_counter()
        customer_writes(simulator, customer, f"live {n}", name=f"Live {n}")
        run_until(lambda: inbox.conversations.rowCount() and inbox.conversations.conversation(0).customer_id == customer)
        latencies.append((time.perf_counter() - began) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    app.close()
    del qt

    print(f"desktop inbox, {conversations:,} conversations, a {thread:,}-message thread, offscreen, loopback sandbox server")
    print(f"  first page shown after start:          {first_page_ms:8.0f} ms  (longest UI stall meanwhile {startup_stall:.0f} ms)")
    print(f"  peer: client layer alone, first page:  {peer_ms:8.1f} ms  (HTTP + decoding, no Qt)")
    print(f"  list scrolled to its end ({pages} pages): {list_s:8.1f} s   longest UI stall {list_stall:5.1f} ms   CPU {list_cpu / pages * 1000:.1f} ms/page")
    print(f"  thread scrolled to its top ({thread:,}):  {thread_s:8.1f} s   longest UI stall {thread_stall:5.1f} ms")
    print(f"  customer message -> top of the list:   {min(latencies):5.0f} / {sorted(latencies)[2]:5.0f} / {max(latencies):5.0f} ms (min/median/max of 5)")
    print(f"  peak resident memory of the app:       {rss_mb:8.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--thread", type=int, default=5_000)
    arguments = parser.parse_args()
    main(arguments.conversations, arguments.thread)
