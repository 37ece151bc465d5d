"""Messages: one document per wahub message id, a `wamids` document per Meta id, parked statuses by wamid."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec
from google.api_core.exceptions import Aborted, AlreadyExists
from google.cloud import firestore
from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.day_tallies import count_change
from adapters.firestore.documents import PAYLOAD, TRANSACTION_ATTEMPTS, delete_found, document_key, from_payload, utc
from adapters.firestore.message_analytics import FirestoreMessageAnalytics
from adapters.firestore.message_fields import message_fields, thread, thread_copy, thread_fields, thread_position
from application.paging import decode_cursor, encode_cursor
from application.records import Page, ParkedStatus
from domain.ids import CustomerId, MessageId, PhoneNumberId, Wamid
from domain.messages import Message

COMMIT_ATTEMPTS = 6
"""A busy day's tally shards are contended: a batch Firestore aborts wrote nothing, so it is committed again."""


def parked_fields(document: dict[str, Any] | None, parked: ParkedStatus) -> dict[str, Any]:
    """A wamid's parked statuses with one more; `reported_at` stays its first one's time, which retention prunes by."""
    statuses = [] if document is None else document["statuses"]
    first_reported = None if document is None else document.get("reported_at")
    return {
        "statuses": [*statuses, msgspec.json.encode(parked).decode()],
        "reported_at": first_reported or utc(parked.event.at),
    }


class FirestoreMessageStore:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._messages = client.collection("messages")
        self._wamids = client.collection("wamids")
        self._parked = client.collection("parked_statuses")
        self.analytics = FirestoreMessageAnalytics(client)

    async def add(self, message: Message) -> bool:
        """The message and its wamid claim are created in one batch: either both exist already, or neither did."""
        batch = self._client.batch()
        batch.create(self._messages.document(message.id), message_fields(message))
        batch.create(thread_copy(self._client, message), thread_fields(message))
        if message.wamid is not None:
            batch.create(self._wamid_ref(message.wamid), {"message_id": message.id})
        count_change(batch, self._client, None, message)
        attempt = 1
        while True:
            try:
                await batch.commit()
            except AlreadyExists:
                return False
            except Aborted:
                if attempt == COMMIT_ATTEMPTS:
                    raise
                await asyncio.sleep(random.uniform(0, 0.05 * 2**attempt))
                attempt += 1
            else:
                return True

    async def get(self, message_id: MessageId) -> Message | None:
        snapshot = await self._messages.document(message_id).get()
        return from_payload(snapshot.to_dict(), Message) if snapshot.exists else None

    async def find_by_wamid(self, wamid: Wamid) -> Message | None:
        claim = await self._wamid_ref(wamid).get()
        return await self.get(claim.get("message_id")) if claim.exists else None

    async def update(self, message_id: MessageId, change: Callable[[Message], Message]) -> Message | None:
        """Read, apply the domain's change, write: a concurrent write aborts the transaction, which reruns it."""
        reference = self._messages.document(message_id)

        @async_transactional
        async def apply(transaction: Any) -> Message | None:
            snapshot = await reference.get(transaction=transaction)
            if not snapshot.exists:
                return None
            before = from_payload(snapshot.to_dict(), Message)
            after = change(from_payload(snapshot.to_dict(), Message))
            transaction.set(reference, message_fields(after))
            transaction.set(thread_copy(self._client, after), thread_fields(after))
            if (before.phone_number_id, before.customer_id) != (after.phone_number_id, after.customer_id):
                transaction.delete(thread_copy(self._client, before))
            if after.wamid is not None and after.wamid != before.wamid:
                transaction.set(self._wamid_ref(after.wamid), {"message_id": after.id})
            count_change(transaction, self._client, before, after)
            return after

        result: Message | None = await apply(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return result

    async def history(
        self, phone_number_id: PhoneNumberId, customer_id: CustomerId, *, cursor: str | None, limit: int
    ) -> Page[Message]:
        """One query on the conversation's own thread copies, reading only the payload: on the emulator a query's
        cost follows the documents it scans and returns (docs/firestore.md)."""
        query = thread(self._client, phone_number_id, customer_id).order_by("position", direction=firestore.Query.DESCENDING)
        if cursor is not None:
            query = query.start_after({"position": thread_position(*decode_cursor(cursor))})
        page_query = query.select([PAYLOAD]).limit(limit + 1)
        found = [from_payload(s.to_dict(), Message) async for s in page_query.stream()]
        page = found[:limit]
        more = len(found) > limit and bool(page)
        return Page(items=page, next_cursor=encode_cursor(page[-1].created_at, page[-1].id) if more else None)

    async def park_status(self, wamid: Wamid, parked: ParkedStatus) -> None:
        reference = self._parked.document(document_key(wamid))

        @async_transactional
        async def append(transaction: Any) -> None:
            snapshot = await reference.get(transaction=transaction)
            transaction.set(reference, parked_fields(snapshot.to_dict() if snapshot.exists else None, parked))

        await append(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))

    async def prune_parked_statuses(self, reported_before: datetime, limit: int) -> int:
        """Documents parked before `reported_at` was kept are never pruned: they predate this rule."""
        query = self._parked.where(filter=FieldFilter("reported_at", "<", utc(reported_before))).limit(max(limit, 0))
        return await delete_found(self._client, query)

    async def take_parked_statuses(self, wamid: Wamid) -> list[ParkedStatus]:
        reference = self._parked.document(document_key(wamid))

        @async_transactional
        async def take(transaction: Any) -> list[str]:
            snapshot = await reference.get(transaction=transaction)
            if not snapshot.exists:
                return []
            transaction.delete(reference)
            statuses: list[str] = snapshot.get("statuses")
            return statuses

        taken = await take(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return [msgspec.json.decode(text, type=ParkedStatus) for text in taken]

    async def business_initiated_recipients(self, since: datetime) -> dict[CustomerId, datetime]:
        """Reads only the business-initiated sends of the period, which the messaging tier caps."""
        query = (
            self._messages.where(filter=FieldFilter("business_initiated", "==", True))
            .where(filter=FieldFilter("created_at", ">=", since))
            .select(["customer_id", "created_at"])
        )
        latest: dict[CustomerId, datetime] = {}
        async for snapshot in query.stream():
            customer_id, at = CustomerId(snapshot.get("customer_id")), snapshot.get("created_at")
            latest[customer_id] = max(at, latest.get(customer_id, at))
        return latest

    def _wamid_ref(self, wamid: Wamid) -> Any:
        return self._wamids.document(document_key(wamid))
