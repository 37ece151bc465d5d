"""The customer directory: a document per customer and one per handle (phone number, BSUID) naming it.

A merge moves the absorbed customer's messages and conversations first and changes the directory
last: Firestore cannot query inside a transaction across collections this wide, so a crash in
between leaves the directory as it was, and applying the webhook again finds and repeats the
same merge (moving what is left; moving twice changes nothing).
"""

from __future__ import annotations

from typing import Any

import msgspec
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.conversations import conversation_fields
from adapters.firestore.documents import PAYLOAD, document_key, from_payload, to_payload
from adapters.firestore.message_fields import message_fields, thread_copy, thread_fields
from adapters.firestore.migrations import BATCH
from domain.conversations import Conversation, join_threads
from domain.customers import Customer, Identification, Sighting, identify
from domain.ids import CustomerId
from domain.messages import Message


class FirestoreCustomerDirectory:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._customers = client.collection("customers")
        self._handles = client.collection("customer_handles")

    async def identify(self, sighting: Sighting) -> Identification | None:
        result = identify(await self._known(sighting.handles()), sighting)
        if result is None:
            return None
        customer = result.customer
        for absorbed in result.absorbed:
            await self._move_messages(absorbed, customer.id)
            await self._move_conversations(absorbed, customer.id)
        batch = self._client.batch()
        for absorbed in result.absorbed:
            batch.delete(self._customers.document(document_key(absorbed)))
        batch.set(self._customers.document(document_key(customer.id)), {PAYLOAD: to_payload(customer)})
        for handle in {*customer.handles, customer.id}:
            batch.set(self._handles.document(document_key(handle)), {"customer_id": customer.id})
        await batch.commit()
        return result

    async def find(self, handle: str) -> Customer | None:
        found = await self._known((handle,))
        return found[0] if found else None

    async def _known(self, handles: tuple[str, ...]) -> list[Customer]:
        ids: set[str] = set()
        for handle in handles:
            snapshot = await self._handles.document(document_key(handle)).get()
            if snapshot.exists:
                ids.add(snapshot.get("customer_id"))
        customers = []
        for customer_id in sorted(ids):
            snapshot = await self._customers.document(document_key(customer_id)).get()
            if snapshot.exists:
                customers.append(from_payload(snapshot.to_dict(), Customer))
        return customers

    async def _move_messages(self, absorbed: CustomerId, survivor: CustomerId) -> None:
        query = self._client.collection("messages").where(filter=FieldFilter("customer_id", "==", absorbed))
        batch, pending = self._client.batch(), 0
        async for snapshot in query.stream():
            before = from_payload(snapshot.to_dict(), Message)
            moved = msgspec.structs.replace(before, customer_id=survivor)
            batch.set(snapshot.reference, message_fields(moved))
            batch.set(thread_copy(self._client, moved), thread_fields(moved))
            batch.delete(thread_copy(self._client, before))
            pending += 3
            if pending >= BATCH:
                await batch.commit()
                batch, pending = self._client.batch(), 0
        if pending:
            await batch.commit()

    async def _move_conversations(self, absorbed: CustomerId, survivor: CustomerId) -> None:
        conversations = self._client.collection("conversations")
        query = conversations.where(filter=FieldFilter("customer_id", "==", absorbed))
        async for snapshot in query.stream():
            moved = from_payload(snapshot.to_dict(), Conversation)
            target = conversations.document(document_key(moved.phone_number_id, survivor))
            kept = await target.get()
            joined = join_threads(from_payload(kept.to_dict(), Conversation) if kept.exists else None, moved, survivor)
            batch = self._client.batch()
            batch.set(target, conversation_fields(joined))
            batch.delete(snapshot.reference)
            await batch.commit()
