"""How fast the inbox worker applies stored webhook POSTs on SQLite: a batch at once vs one by one.

Ingest takes ~9,700 POSTs/s (docs/bench.md); the worker must keep up or the backlog grows.
The peer, measured in the same run, is the same use case applying the same POSTs one at a time.
Usage: .venv/bin/python bench/inbox.py [--posts 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import msgspec

from adapters.clock import SystemClock
from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from adapters.memory.live_events import InMemoryLiveEvents
from adapters.sqlite import SqliteStores, open_sqlite_stores
from application.process_inbox_event import ProcessInboxEvent

NUMBER = "106540352242922"
BATCH = 200


def webhook(n: int) -> bytes:
    message = {
        "from": f"1650555{n % 1000:04d}",
        "id": f"wamid.BENCH{n}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": "Is my order on its way?"},
    }
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "1", "phone_number_id": NUMBER}}
    change = {"field": "messages", "value": {**value, "messages": [message]}}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


def processor(stores: SqliteStores) -> ProcessInboxEvent:
    return ProcessInboxEvent(
        inbox=stores.inbox,
        decoder=MetaWebhookDecoder(),
        writer=stores.post_writer,
        messages=stores.messages,
        customers=stores.customers,
        live_events=InMemoryLiveEvents(),
        clock=SystemClock(),
    )


class Figures(msgspec.Struct, frozen=True):
    posts_per_second: float
    writes_per_post: float
    commits_per_post: float


async def measure(posts: int, one_by_one: bool) -> Figures:
    stores = await open_sqlite_stores(Path(tempfile.mkdtemp()) / "inbox.db")
    try:
        clock = SystemClock()
        await asyncio.gather(*(stores.inbox.append(webhook(n), clock.now()) for n in range(posts)))
        process = processor(stores)
        database = stores.database
        writes, commits = database.writes, database.commits
        started = time.perf_counter()
        if one_by_one:
            for event in await stores.inbox.unprocessed(posts):
                await process(event)
        else:
            while (await process.process_pending(BATCH)).posts:
                pass
        elapsed = time.perf_counter() - started
        return Figures(posts / elapsed, (database.writes - writes) / posts, (database.commits - commits) / posts)
    finally:
        await stores.close()


async def main(posts: int) -> None:
    batched = await measure(posts, one_by_one=False)
    sequential = await measure(posts, one_by_one=True)
    print(f"inbox worker on SQLite, {posts} stored POSTs of one text message each")
    for name, figures in ((f"batch of {BATCH} applied concurrently:", batched), ("one by one (peer):", sequential)):
        print(
            f"  {name:<36} {figures.posts_per_second:8,.0f} POSTs/s   {figures.writes_per_post:.2f} writer jobs and "
            f"{figures.commits_per_post:.3f} commits per POST"
        )
    print(f"  ratio: {batched.posts_per_second / sequential.posts_per_second:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3000)
    asyncio.run(main(parser.parse_args().posts))
