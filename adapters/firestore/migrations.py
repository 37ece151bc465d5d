"""Bringing documents written by an earlier wahub to today's shape, in place, once per database.

A `schema/version` document records how many steps have run. Each step is idempotent (it skips
documents already in the new shape), so a run interrupted half-way is simply run again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore import day_tallies
from adapters.firestore.conversations import conversation_fields
from adapters.firestore.documents import PAYLOAD, document_key, from_payload, utc
from adapters.firestore.message_fields import thread_copy, thread_fields
from application.records import ParkedStatus
from domain.conversations import Conversation
from domain.messages import Message

OLD_TALLIES = "message_tallies"

BATCH = 400
"""Firestore takes at most 500 writes in one batch."""


async def migrate(client: Any) -> None:
    version_ref = client.collection("schema").document("version")
    snapshot = await version_ref.get()
    version = snapshot.get("version") if snapshot.exists else 0
    for number, step in enumerate(_STEPS[version:], start=version + 1):
        await step(client)
        await version_ref.set({"version": number})


async def _customer_ids(client: Any) -> None:
    """Customers were keyed by phone number: the key becomes the opaque customer id (the same digits,
    so every id keeps working) and the number stays known as their wa_id."""
    await _rewrite(client, "messages", _message_keyed_by_customer)
    await _rewrite(client, "conversations", _conversation_keyed_by_customer)
    await _rewrite(client, "outbox", _payload_keyed_by_customer)


def _message_keyed_by_customer(fields: dict[str, Any]) -> dict[str, Any] | None:
    changed = _payload_keyed_by_customer(fields)
    if changed is None:
        return None
    changed["customer_id"] = fields.get("wa_id")
    return changed


def _conversation_keyed_by_customer(fields: dict[str, Any]) -> dict[str, Any] | None:
    changed = _payload_keyed_by_customer(fields)
    if changed is None:
        return None
    changed["customer_id"] = json.loads(changed[PAYLOAD])["customer_id"]
    return changed


def _payload_keyed_by_customer(fields: dict[str, Any]) -> dict[str, Any] | None:
    record = json.loads(fields[PAYLOAD])
    if "wa_id" not in record or "customer_id" in record:
        return None
    wa_id = record.pop("wa_id")
    record["customer_id"] = wa_id
    if "last_activity_at" in record or "direction" in record:
        record["identity"] = {"wa_id": wa_id} if wa_id.isdigit() else {}
    return {PAYLOAD: json.dumps(record, separators=(",", ":"))}


async def _rewrite(client: Any, collection: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    def update(batch: Any, snapshot: Any) -> bool:
        changed = change(snapshot.to_dict())
        if changed is not None:
            batch.update(snapshot.reference, changed)
        return changed is not None

    await _in_batches(client, collection, update)


async def _in_batches(client: Any, collection: str | Any, write: Callable[[Any, Any], bool]) -> None:
    """`write(batch, snapshot)` adds at most one write to the batch for the document, and says whether it did.

    `collection` is a collection's name, or a query when only some of its documents need the step."""
    batch, pending = client.batch(), 0
    documents = client.collection(collection) if isinstance(collection, str) else collection
    async for snapshot in documents.stream():
        pending += write(batch, snapshot)
        if pending == BATCH:
            await batch.commit()
            batch, pending = client.batch(), 0
    if pending:
        await batch.commit()


async def _customer_directory(client: Any) -> None:
    """Every customer known so far (each by phone number) enters the directory, first seen at their first activity."""
    first_seen: dict[str, Any] = {}
    identities: dict[str, Any] = {}
    async for snapshot in client.collection("conversations").stream():
        record = json.loads(snapshot.get(PAYLOAD))
        customer_id = record["customer_id"]
        identities[customer_id] = record.get("identity", {})
        at = snapshot.get("last_activity_at")
        first_seen[customer_id] = min(first_seen.get(customer_id, at), at)
    async for snapshot in client.collection("messages").select(["customer_id", "created_at"]).stream():
        customer_id, at = snapshot.get("customer_id"), snapshot.get("created_at")
        if customer_id in first_seen:
            first_seen[customer_id] = min(first_seen[customer_id], at)
    batch, pending = client.batch(), 0
    for customer_id, identity in identities.items():
        record = {"id": customer_id, "identity": identity, "handles": [customer_id],
                  "first_seen_at": first_seen[customer_id].isoformat()}
        batch.set(client.collection("customers").document(document_key(customer_id)),
                  {PAYLOAD: json.dumps(record, separators=(",", ":"))})
        batch.set(client.collection("customer_handles").document(document_key(customer_id)), {"customer_id": customer_id})
        pending += 2
        if pending >= BATCH:
            await batch.commit()
            batch, pending = client.batch(), 0
    if pending:
        await batch.commit()



async def _analytics_tallies(client: Any) -> None:
    """Analytics moved to per-day shard tallies with quarter-hour maps: counted afresh from every message
    (the old `message_tallies` are dropped), and conversations get `unanswered_window_closes_at`."""
    def delete(batch: Any, snapshot: Any) -> bool:
        batch.delete(snapshot.reference)
        return True

    def count(batch: Any, snapshot: Any) -> bool:
        day_tallies.count_change(batch, client, None, from_payload(snapshot.to_dict(), Message))
        return True

    for collection in (OLD_TALLIES, day_tallies.COLLECTION):
        await _in_batches(client, collection, delete)
    await _in_batches(client, "messages", count)
    await _rewrite(client, "conversations", _with_closing_field)


def _with_closing_field(fields: dict[str, Any]) -> dict[str, Any] | None:
    closing = conversation_fields(from_payload(fields, Conversation))
    return {key: value for key, value in closing.items() if key == "unanswered_window_closes_at"} or None


async def _threads(client: Any) -> None:
    """History pages read a copy of each message in its conversation's own collection (message_fields.thread)."""
    def copy(batch: Any, snapshot: Any) -> bool:
        message = from_payload(snapshot.to_dict(), Message)
        batch.set(thread_copy(client, message), thread_fields(message))
        return True

    await _in_batches(client, "messages", copy)


async def _inbox_due_times(client: Any) -> None:
    """Pending POSTs are read in `due_at` order (their time received, or their retry time): POSTs stored
    by an earlier wahub and not applied yet get theirs, or they would never be read again."""

    def due(batch: Any, snapshot: Any) -> bool:
        fields = snapshot.to_dict()
        if "due_at" not in fields:
            batch.update(snapshot.reference, {"due_at": fields["received_at"]})
        return "due_at" not in fields

    await _in_batches(client, client.collection("inbox").where(filter=FieldFilter("processed", "==", False)), due)


async def _parked_reported_at(client: Any) -> None:
    """Retention prunes parked statuses by `reported_at`, their first status's time: documents parked
    before it was kept get it from that status, or they would never be pruned."""

    def first_reported(batch: Any, snapshot: Any) -> bool:
        fields = snapshot.to_dict()
        if "reported_at" in fields or not fields.get("statuses"):
            return False
        first = msgspec.json.decode(fields["statuses"][0], type=ParkedStatus)
        batch.update(snapshot.reference, {"reported_at": utc(first.event.at)})
        return True

    await _in_batches(client, "parked_statuses", first_reported)


_STEPS: tuple[Callable[[Any], Awaitable[None]], ...] = (
    _customer_ids,
    _analytics_tallies,
    _threads,
    _inbox_due_times,
    _customer_directory,
    _parked_reported_at,
)
