"""Sharded per-day counters of messages, kept in step with every write of a message.

One document sustains about one write per second, so each count is spread over SHARDS documents
and a writer picks one at random; a reader sums the shards. They serve the groupings Firestore's
aggregation queries cannot produce (per day and direction, per failure code, per pricing category).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import document_key
from adapters.firestore.message_fields import Tally, tallies
from domain.messages import Message

SHARDS = 10
COLLECTION = "message_tallies"


def count_change(writer: Any, client: Any, before: Message | None, after: Message) -> None:
    """Add the writes that move the counters from `before` to `after` to a batch or transaction."""
    old = tallies(before) if before is not None else set()
    new = tallies(after)
    for tally in new - old:
        _bump(writer, client, tally, 1)
    for tally in old - new:
        _bump(writer, client, tally, -1)


async def read_tallies(
    client: Any, metric: str, first: date, last: date, phone_number_id: str | None
) -> Counter[Tally]:
    """Summed over shards and, unless a number is given, over business numbers (reported as '')."""
    query = client.collection(COLLECTION).where(filter=FieldFilter("metric", "==", metric))
    if phone_number_id is not None:
        query = query.where(filter=FieldFilter("phone_number_id", "==", phone_number_id))
    query = query.where(filter=FieldFilter("day", ">=", first.isoformat()))
    query = query.where(filter=FieldFilter("day", "<=", last.isoformat()))
    totals: Counter[Tally] = Counter()
    async for snapshot in query.stream():
        shard = snapshot.to_dict()
        labels = tuple((name, shard["labels"][name]) for name in shard["label_order"])
        totals[Tally(phone_number_id or "", shard["day"], metric, labels)] += shard["count"]
    return +totals


def _bump(writer: Any, client: Any, tally: Tally, delta: int) -> None:
    shard = random.randrange(SHARDS)
    key = document_key(tally.phone_number_id, tally.day, tally.metric, repr(tally.labels), str(shard))
    document = {
        "phone_number_id": tally.phone_number_id,
        "day": tally.day,
        "metric": tally.metric,
        "labels": dict(tally.labels),
        "label_order": [name for name, _ in tally.labels],
        "count": firestore.Increment(delta),
    }
    writer.set(client.collection(COLLECTION).document(key), document, merge=True)
