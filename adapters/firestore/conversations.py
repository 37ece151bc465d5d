"""Conversations: one document per (business number, customer), listed by last activity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import (
    PAYLOAD,
    TRANSACTION_ATTEMPTS,
    document_key,
    from_payload,
    to_payload,
    utc,
)
from application.paging import decode_cursor, encode_cursor
from application.records import Page
from domain.analytics import CLOSING_SOON
from domain.conversations import Conversation
from domain.ids import CustomerId, PhoneNumberId
from domain.search import customer_text, words

SEARCH_PREFIXES = "search_prefixes"
LONGEST_PREFIX = 24
"""Longer terms are looked up by their first LONGEST_PREFIX characters, then checked in full."""


def search_prefixes(conversation: Conversation) -> list[str]:
    """Every prefix of every word the customer is known by, each once."""
    folded = words(customer_text(conversation))
    return sorted({word[:end] for word in folded for end in range(1, min(len(word), LONGEST_PREFIX) + 1)})


class FirestoreConversationStore:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._conversations = client.collection("conversations")

    async def get(self, phone_number_id: PhoneNumberId, customer_id: CustomerId) -> Conversation | None:
        snapshot = await self._reference(phone_number_id, customer_id).get()
        return from_payload(snapshot.to_dict(), Conversation) if snapshot.exists else None

    async def update(
        self,
        phone_number_id: PhoneNumberId,
        customer_id: CustomerId,
        change: Callable[[Conversation | None], Conversation],
    ) -> Conversation:
        """A customer's burst of messages updates one document; the transaction reruns `change` on conflict."""
        reference = self._reference(phone_number_id, customer_id)

        @async_transactional
        async def apply(transaction: Any) -> Conversation:
            snapshot = await reference.get(transaction=transaction)
            current = from_payload(snapshot.to_dict(), Conversation) if snapshot.exists else None
            changed = change(current)
            transaction.set(reference, conversation_fields(changed))
            return changed

        result: Conversation = await apply(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return result

    async def list(
        self, *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[Conversation]:
        """Most recent first; ties on time are broken by customer number, descending too."""
        query = self._conversations
        if phone_number_id is not None:
            query = query.where(filter=FieldFilter("phone_number_id", "==", phone_number_id))
        query = query.order_by("last_activity_at", direction=firestore.Query.DESCENDING)
        query = query.order_by("position", direction=firestore.Query.DESCENDING)
        if cursor is not None:
            at, after = decode_cursor(cursor)
            query = query.start_after({"last_activity_at": at, "position": after})
        page_query = query.select([PAYLOAD]).limit(limit + 1)
        found = [from_payload(s.to_dict(), Conversation) async for s in page_query.stream()]
        page = found[:limit]
        if len(found) <= limit or not page:
            return Page(items=page)
        return Page(items=page, next_cursor=encode_cursor(page[-1].last_activity_at, position(page[-1])))

    async def closing_unanswered(
        self, *, phone_number_id: PhoneNumberId | None, now: datetime
    ) -> Sequence[Conversation]:
        query = self._conversations
        if phone_number_id is not None:
            query = query.where(filter=FieldFilter("phone_number_id", "==", phone_number_id))
        query = query.where(filter=FieldFilter("unanswered_window_closes_at", ">", now))
        query = query.where(filter=FieldFilter("unanswered_window_closes_at", "<=", now + CLOSING_SOON))
        closing = [from_payload(s.to_dict(), Conversation) async for s in query.stream()]
        return sorted(closing, key=lambda c: (c.window.closes_at or now, c.phone_number_id, c.customer_id))

    def _reference(self, phone_number_id: str, customer_id: str) -> Any:
        return self._conversations.document(document_key(phone_number_id, customer_id))


def position(conversation: Conversation) -> str:
    """Breaks ties on time, unique per document; the search pages on it too."""
    return f"{conversation.customer_id}|{conversation.phone_number_id}"


def conversation_fields(conversation: Conversation) -> dict[str, Any]:
    """`unanswered_window_closes_at` is present only while the customer's last message is unanswered."""
    fields = {
        PAYLOAD: to_payload(conversation),
        "phone_number_id": conversation.phone_number_id,
        "last_activity_at": utc(conversation.last_activity_at),
        "position": position(conversation),
        SEARCH_PREFIXES: search_prefixes(conversation),
    }
    closes_at = conversation.window.closes_at
    if closes_at is not None and conversation.awaiting_reply_since is not None:
        fields["unanswered_window_closes_at"] = utc(closes_at)
    return fields
