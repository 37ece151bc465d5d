"""Store figures at scale: webhook insert and status-update throughput, page latencies, analytics time.

    python bench/store.py              # quick: SQLite, 10k stored messages, a few seconds
    python bench/store.py --full       # SQLite at 100k and 1M (targets: each analytics query < 1 s, aim 300 ms;
                                       # list page < 20 ms), then the Firestore emulator at 10k and 100k
    python bench/store.py --firestore  # the Firestore emulator at 10k and 100k only (needs gcloud and Java;
                                       # target: each analytics query < 300 ms at both sizes)

Every analytics query the API serves is timed over the last 30 days (the dashboard's longest preset) and
over the whole 90 days of data, for all numbers and for one.

The Firestore run starts `gcloud emulators firestore start` on a free loopback port in its own process
group (adapters/firestore/emulator.py, shared with the tests) and always stops it, on Ctrl-C too. It
loads the messages through FirestoreMessageStore.add, CONCURRENT at a time, and reports that insert
throughput. The emulator is one Java process with no real network, replication or durable storage:
its figures describe the adapter's code paths (batches, transactions, tallies, aggregation queries),
not what production Firestore would do.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.clock import SystemClock
from adapters.firestore import FirestoreStores
from adapters.firestore.emulator import EmulatorUnavailable, FirestoreEmulator
from adapters.sqlite import SqliteStores, open_sqlite_stores
from application.analytics import ReadAnalytics
from domain.analytics import DEFAULT_PRICES, AnalyticsQuery
from domain.content import Template, TemplateLanguage, Text
from domain.conversations import Conversation, CustomerServiceWindow
from domain.customers import CustomerIdentity
from domain.ids import CustomerId, MessageId, PhoneNumberId, WaId, Wamid
from domain.messages import Direction, Message, Pricing
from domain.search import search_terms
from domain.status import Failure, MessageStatus, StatusEvent, StatusRecord, apply_status

START = datetime(2025, 1, 1, tzinfo=UTC)
PERIOD = timedelta(days=90)
NUMBER = PhoneNumberId("106540352242922")
MESSAGES_PER_CUSTOMER = 100
KOLKATA = ZoneInfo("Asia/Kolkata")
CONCURRENT = 500
"""Webhook POSTs in flight at once, as a busy number's burst would have them."""
FIRESTORE_SIZES = (10_000, 100_000)
FIRESTORE_PROJECT = "wahub-bench"
EMULATOR_CAVEAT = ("the emulator is one Java process, no real network or replication: these figures describe\n"
                   "  the adapter's code paths, not production Firestore")

UTILITY = Pricing(category="utility", type="regular", pricing_model="PMP", billable=True)
SERVICE = Pricing(category="service", type="free_customer_service", pricing_model="PMP", billable=False)
TEMPLATES = [Template(name=f"order_update_{k}", language=TemplateLanguage(code="en_US")) for k in range(5)]
RE_ENGAGEMENT = Failure(code=131047, title="Re-engagement message")
OUTBOUND_FATES = (MessageStatus.READ, MessageStatus.DELIVERED, MessageStatus.SENT, MessageStatus.READ, MessageStatus.FAILED)


BODIES = (
    "Where is my order #{n}? It was due yesterday.",
    "Thanks, the parcel arrived today.",
    "Can I change the delivery address for order {n}?",
    "Hello, is anyone there?",
    "Your order #{n} has shipped and arrives on Thursday.",
    "I would like a refund for the damaged blender.",
    "Do you have the blue jacket in size M?",
    "Great, thank you so much!",
)
"""What customers and agents write; {n} makes order numbers that one or two messages mention."""
NAMES = ("Sheena Nowak", "Ravi Patel", "Zoë Ávila", "Kwame Mensah", "Mei Lin", "Olusegun Bello", "Ana Sousa", "Lars Berg")
SEARCHES = (
    ("an order number (in 1 message)", "104216"),
    ("a customer's name", "sheena nowak"),
    ("a phone number's first digits", "+1 650 555 00"),
    ("a word in 1 message of 8", "blender"),
    ("two words, each in 1 message of 4", "order shipped"),
)


def customer(n: int) -> CustomerId:
    return CustomerId(f"{16505550000 + n}")


def stored_message(n: int, size: int) -> Message:
    """Customers alternate with replies; outbound messages reach read, delivered, sent or failed."""
    at = START + PERIOD * (n / size)
    if n % 2 == 0:
        return _message(n, Direction.INBOUND, customer(n // 2 % _customers(size)), at, StatusRecord.queued(at))
    status = StatusRecord.queued(at)
    for step in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED):
        status = apply_status(status, StatusEvent(status=step, at=at, failure=RE_ENGAGEMENT if step is MessageStatus.FAILED else None))
        if step is OUTBOUND_FATES[n // 2 % len(OUTBOUND_FATES)]:
            break
    message = _message(n, Direction.OUTBOUND, customer(n // 2 % _customers(size)), at, status)
    content = TEMPLATES[n // 7 % len(TEMPLATES)] if n % 7 == 1 else message.content
    return msgspec.structs.replace(
        message, content=content, pricing=UTILITY if n % 7 == 1 else SERVICE,
        response_seconds=float(n % 600) if n % 3 == 0 else None,
    )


def _customers(size: int) -> int:
    return max(size // MESSAGES_PER_CUSTOMER, 1)


def _message(n: int, direction: Direction, customer_id: CustomerId, at: datetime, status: StatusRecord) -> Message:
    return Message(
        id=MessageId(f"msg_{n:032x}"), direction=direction, phone_number_id=NUMBER, customer_id=customer_id,
        identity=CustomerIdentity(wa_id=WaId(customer_id)),
        content=Text(body=BODIES[n % len(BODIES)].format(n=n)), created_at=at, status=status,
        wamid=Wamid(f"wamid.HBgL{n:020d}"),
    )


async def fill(stores: SqliteStores, size: int) -> None:
    for chunk in _chunks(range(size), 20_000):
        await stores.messages.add_many(stored_message(n, size) for n in chunk)
    await _touch_conversations(stores, size)


async def fill_one_by_one(stores: FirestoreStores, size: int) -> float:
    """Through the webhook's own write path (one batch per message: document, wamid claim, tallies); per second."""
    adds: list[Callable[[], Awaitable[object]]] = [
        functools.partial(stores.messages.add, stored_message(n, size)) for n in range(size)
    ]
    rate = await throughput(adds)
    await _touch_conversations(stores, size)
    return rate


async def _touch_conversations(stores: SqliteStores | FirestoreStores, size: int) -> None:
    for chunk in _chunks(range(_customers(size)), CONCURRENT):
        await asyncio.gather(*(stores.conversations.update(NUMBER, customer(c), _touched(c, size)) for c in chunk))


def _touched(c: int, size: int) -> Callable[[Conversation | None], Conversation]:
    at = START + PERIOD * (c / _customers(size))
    return lambda _: Conversation(phone_number_id=NUMBER, customer_id=customer(c), last_activity_at=at,
                                  customer_name=f"{NAMES[c % len(NAMES)]} {c}",
                                  window=CustomerServiceWindow(last_inbound_at=at), last_message_preview="Where is my order?")


def _chunks(numbers: range, size: int) -> Iterator[range]:
    return (numbers[i : i + size] for i in range(0, len(numbers), size))


async def throughput(operations: list[Callable[[], Awaitable[object]]]) -> float:
    """Operations per second, CONCURRENT at a time."""
    began = time.perf_counter()
    for i in range(0, len(operations), CONCURRENT):
        await asyncio.gather(*(operation() for operation in operations[i : i + CONCURRENT]))
    return len(operations) / (time.perf_counter() - began)


async def latency_ms(operation: Callable[[], Awaitable[object]], runs: int = 30) -> float:
    """Median wall time of one call, in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await operation()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def measure(size: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        stores = await open_sqlite_stores(Path(directory) / "wahub.db")
        try:
            began = time.perf_counter()
            await fill(stores, size)
            loaded = time.perf_counter() - began
            print(f"\nSQLite: {size:,} stored messages ({_customers(size):,} conversations), loaded in {loaded:.1f} s")
            await _report(stores, size, inbox_label=f"inbox appends (webhook POSTs, fsync'd, {CONCURRENT} in flight)")
        finally:
            await stores.close()


async def measure_firestore(size: int, emulator: FirestoreEmulator) -> None:
    """On a started emulator (FIRESTORE_EMULATOR_HOST set), emptied first."""
    emulator.clear()
    stores = FirestoreStores(project=emulator.project)
    try:
        began = time.perf_counter()
        inserted = await fill_one_by_one(stores, size)
        loaded = time.perf_counter() - began
        print(f"\nFirestore emulator ({emulator.host()}): {size:,} stored messages ({_customers(size):,} conversations), "
              f"loaded in {loaded:.1f} s\n  {EMULATOR_CAVEAT}")
        _show(f"inserts while loading ({CONCURRENT} in flight)", inserted, "/s")
        await _report(stores, size, inbox_label=f"inbox appends (webhook POSTs, {CONCURRENT} in flight)")
    finally:
        await stores.close()


def run_firestore(sizes: tuple[int, ...]) -> None:
    """The emulator is stopped whatever happens: error, Ctrl-C, or SIGTERM (turned into KeyboardInterrupt)."""
    emulator = FirestoreEmulator(FIRESTORE_PROJECT)
    try:
        emulator.host()
        for size in sizes:
            asyncio.run(measure_firestore(size, emulator))
    except EmulatorUnavailable as unavailable:
        sys.exit(f"bench/store.py: {unavailable}")
    finally:
        emulator.stop()


async def _report(stores: SqliteStores | FirestoreStores, size: int, *, inbox_label: str) -> None:
    batch = 5_000
    body = b'{"object":"whatsapp_business_account","entry":[]}' * 20
    inbox = await throughput([lambda: stores.inbox.append(body, START)] * batch)
    _show(inbox_label, inbox, "/s")
    fresh = [stored_message(size + 2 * k, size) for k in range(batch)]
    added = await throughput([functools.partial(stores.messages.add, m) for m in fresh])
    _show("inbound message inserts", added, "/s")
    outbound_ids = [MessageId(f"msg_{n:032x}") for n in range(1, 2 * batch, 2)]
    updates = await throughput([functools.partial(stores.messages.update, i, _read) for i in outbound_ids])
    _show("status updates (update + apply_status)", updates, "/s")
    conversations, history = stores.conversations.list, stores.messages.history
    first = await conversations(phone_number_id=None, cursor=None, limit=50)
    _show("conversation list, first page of 50", await latency_ms(functools.partial(conversations, phone_number_id=None, cursor=None, limit=50)), "ms")
    later = functools.partial(conversations, phone_number_id=NUMBER, cursor=first.next_cursor, limit=50)
    _show("conversation list, next page of 50", await latency_ms(later), "ms")
    page = await history(NUMBER, customer(0), cursor=None, limit=50)
    _show("history, first page of 50", await latency_ms(functools.partial(history, NUMBER, customer(0), cursor=None, limit=50)), "ms")
    if isinstance(stores, FirestoreStores):
        _show("  peer: the same page queried on `messages`", await latency_ms(functools.partial(_history_on_messages, stores)), "ms")
    older = functools.partial(history, NUMBER, customer(0), cursor=page.next_cursor, limit=50)
    _show("history, next page of 50", await latency_ms(older), "ms")
    for label, text in SEARCHES:
        search = functools.partial(stores.search.search, search_terms(text), phone_number_id=None, cursor=None, limit=50)
        found = await search()
        cpu = time.process_time()
        wall = await latency_ms(search, runs=10)
        cpu_ms = (time.process_time() - cpu) * 100
        _show(f"search {text!r}: {label}, first page ({len(found.items)})", wall, f"ms  (CPU {cpu_ms:.1f} ms)")
    await _analytics(stores)


async def _analytics(stores: SqliteStores | FirestoreStores) -> None:
    """Each report's median time over 5 runs, with the process CPU it took (the stores answer on threads too)."""
    reports = ReadAnalytics(
        messages=stores.messages, conversations=stores.conversations, prices=DEFAULT_PRICES, clock=SystemClock()
    )
    end = START + PERIOD
    periods = {
        "30 days": AnalyticsQuery(since=end - timedelta(days=30), until=end),
        "90 days": AnalyticsQuery(since=START, until=end),
        "30 days, one number": AnalyticsQuery(since=end - timedelta(days=30), until=end, phone_number_id=NUMBER),
    }
    queries: dict[str, Callable[[AnalyticsQuery], Awaitable[object]]] = {
        "summary": reports.summary, "volumes": reports.volumes, "funnel": reports.funnel,
        "failures": reports.failures, "response times (median, p90)": reports.response_times,
        "pricing": reports.pricing, "heatmap (Asia/Kolkata)": lambda q: reports.heatmap(q, KOLKATA),
        "templates": reports.templates,
    }
    for period_label, query in periods.items():
        print(f"  analytics over {period_label}:")
        for label, run in queries.items():
            cpu = time.process_time()
            wall = await latency_ms(functools.partial(run, query), runs=5)
            _show(f"  {label}", wall, f"ms  (CPU {(time.process_time() - cpu) * 1000 / 5:.0f} ms)")
    closing = functools.partial(reports.closing_windows, None)
    _show("closing windows (now)", await latency_ms(closing, runs=5), "ms")


async def _history_on_messages(stores: FirestoreStores) -> list[object]:
    """History as the store queried it before thread copies: one conversation's messages out of all of them."""
    query = (
        stores._client.collection("messages")
        .where(filter=FieldFilter("phone_number_id", "==", NUMBER))
        .where(filter=FieldFilter("customer_id", "==", customer(0)))
        .order_by("created_at", direction=firestore.Query.DESCENDING)
        .order_by("id", direction=firestore.Query.DESCENDING)
        .limit(51)
    )
    return [snapshot async for snapshot in query.stream()]


def _show(label: str, value: float, unit: str) -> None:
    print(f"  {label:<58}{value:10,.2f} {unit}")


def _read(message: Message) -> Message:
    """The status webhook a customer's read receipt brings, applied by the domain's own rule."""
    return msgspec.structs.replace(message, status=apply_status(message.status, StatusEvent(status=MessageStatus.READ, at=START + PERIOD)))


def main() -> None:
    global CONCURRENT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="SQLite at 100k and 1M instead of 10k, then the emulator")
    parser.add_argument("--firestore", action="store_true", help="the Firestore emulator at 10k and 100k only")
    parser.add_argument("--in-flight", type=int, default=CONCURRENT,
                        help=f"writes in flight at once (default {CONCURRENT}); the emulator aborts batches on lock "
                             "timeouts when a busy machine slows it, and fewer in flight avoid that")
    arguments = parser.parse_args()
    CONCURRENT = arguments.in_flight
    signal.signal(signal.SIGTERM, _interrupted)
    sizes = [100_000, 1_000_000] if arguments.full else [] if arguments.firestore else [10_000]
    try:
        for size in sizes:
            asyncio.run(measure(size))
        if arguments.full or arguments.firestore:
            run_firestore(FIRESTORE_SIZES)
    except KeyboardInterrupt:
        print("\ninterrupted (the emulator, if started, was stopped)", file=sys.stderr)
        sys.exit(130)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
