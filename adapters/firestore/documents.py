"""What every Firestore store shares: domain records as JSON beside the fields queries use, keys, cursors."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

TRANSACTION_ATTEMPTS = 30
"""Bursts of webhooks change one document concurrently; a contended transaction aborts and reruns."""

PAYLOAD = "json"
"""The field holding the whole record: Firestore forbids arrays of arrays (template examples), and
decoding through msgspec keeps one strict path from storage back into the domain."""


def to_payload(record: Any) -> str:
    return msgspec.json.encode(record).decode()


def from_payload(document: dict[str, Any], kind: type[T]) -> T:
    return msgspec.json.decode(document[PAYLOAD], type=kind)


def document_key(*parts: str) -> str:
    """Outside text may hold '/' (wamids do) and shares long prefixes; a hash is a legal, evenly spread id."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


async def delete_found(client: Any, query: Any) -> int:
    """Delete every document `query` finds, in one batch (queries here are limited to a few hundred)."""
    batch = client.batch()
    found = 0
    async for snapshot in query.stream():
        batch.delete(snapshot.reference)
        found += 1
    if found:
        await batch.commit()
    return found
