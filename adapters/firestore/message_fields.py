"""How a Message is laid out in its document: the record itself, plus the fields queries filter on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import msgspec

from adapters.firestore.documents import PAYLOAD, document_key, to_payload, utc
from domain.analytics import NO_PRICING_TYPE, RESOLUTION, histogram_bucket
from domain.content import Template
from domain.messages import Direction, Message

QUARTER_MINUTES = int(RESOLUTION.total_seconds() // 60)
RESPONSE_SECONDS = "seconds"
"""Beside the histogram's bucket counts, the key of the first responses' summed seconds (for the mean)."""


class Tally(NamedTuple):
    """One count a message adds to its business number's UTC day and quarter hour, under `metric` and `key`."""

    phone_number_id: str
    day: str
    quarter: int
    metric: str
    key: str


def message_fields(message: Message) -> dict[str, Any]:
    """The record and the fields history and the messaging-tier query filter on; analytics read the tallies."""
    outbound = message.direction is Direction.OUTBOUND
    return {
        PAYLOAD: to_payload(message),
        "id": message.id,
        "phone_number_id": message.phone_number_id,
        "customer_id": message.customer_id,
        "direction": str(message.direction),
        "status": str(message.status.status),
        "created_at": utc(message.created_at),
        "business_initiated": outbound and message.business_initiated,
    }


def thread(client: Any, phone_number_id: str, customer_id: str) -> Any:
    """One conversation's own collection of message copies, `thread_<conversation key>`.

    Its own collection id, not a `thread` subcollection: the emulator answers a query by scanning every
    document with the queried collection id, whatever its parent, so only an id of its own keeps a
    history page's cost to the conversation's size (docs/firestore.md).
    """
    return client.collection(f"thread_{document_key(phone_number_id, customer_id)}")


def thread_copy(client: Any, message: Message) -> Any:
    return thread(client, message.phone_number_id, message.customer_id).document(message.id)


def thread_position(at: datetime, message_id: str) -> str:
    """Time (fixed width, UTC) then id, as text that sorts like the pair: one field to order on, which
    Firestore's automatic single-field index serves in every collection (a composite index cannot be
    declared for collection ids made at run time)."""
    return f"{utc(at):%Y-%m-%dT%H:%M:%S.%f}|{message_id}"


def thread_fields(message: Message) -> dict[str, Any]:
    """What a history page reads, and the one field it orders on."""
    return {PAYLOAD: to_payload(message), "position": thread_position(message.created_at, message.id)}


def tallies(message: Message) -> dict[Tally, float]:
    """What the message adds to the tallies; a changed message moves the difference (see day_tallies)."""
    at = utc(message.created_at)
    day, quarter = at.date().isoformat(), (at.hour * 60 + at.minute) // QUARTER_MINUTES
    counts: dict[tuple[str, str], float] = {("volume", str(message.direction)): 1}
    if message.direction is Direction.OUTBOUND:
        counts[("status", str(message.status.status))] = 1
        if isinstance(message.content, Template):
            template = [message.content.name, message.content.language.code, str(message.status.status)]
            counts[("template", _key(template))] = 1
        if message.response_seconds is not None:
            counts[("response", str(histogram_bucket(message.response_seconds)))] = 1
            counts[("response", RESPONSE_SECONDS)] = message.response_seconds
    if (failure := message.status.failure) is not None:
        counts[("failure", _key([failure.code, failure.title]))] = 1
    if (pricing := message.pricing) is not None:
        counts[("pricing", _key([pricing.category, NO_PRICING_TYPE if pricing.type is None else pricing.type]))] = 1
    return {Tally(message.phone_number_id, day, quarter, metric, key): n for (metric, key), n in counts.items()}


def _key(labels: Sequence[str | int]) -> str:
    return msgspec.json.encode(labels).decode()
