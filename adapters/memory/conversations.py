"""Conversations kept in a dict keyed by (business number, customer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

import msgspec

from adapters.memory.cursor import newest_first_page
from adapters.memory.rollback import Restore, saved
from application.records import Page
from domain.conversations import Conversation, join_threads
from domain.ids import CustomerId, PhoneNumberId

Key = tuple[PhoneNumberId, CustomerId]


class InMemoryConversationStore:
    """Copies go in and out, and no method awaits mid-change, so each update is atomic on the event loop."""

    def __init__(self) -> None:
        self._conversations: dict[Key, Conversation] = {}

    async def get(self, phone_number_id: PhoneNumberId, customer_id: CustomerId) -> Conversation | None:
        found = self._conversations.get((phone_number_id, customer_id))
        return None if found is None else msgspec.structs.replace(found)

    async def update(
        self,
        phone_number_id: PhoneNumberId,
        customer_id: CustomerId,
        change: Callable[[Conversation | None], Conversation],
    ) -> Conversation:
        current = self._conversations.get((phone_number_id, customer_id))
        changed = change(None if current is None else msgspec.structs.replace(current))
        self._conversations[(phone_number_id, customer_id)] = msgspec.structs.replace(changed)
        return changed

    def merge_customer(self, absorbed: CustomerId, survivor: CustomerId) -> None:
        """The customer directory found two customers to be one person: each number's threads become one."""
        for phone_number_id, customer_id in list(self._conversations):
            if customer_id != absorbed:
                continue
            moved = self._conversations.pop((phone_number_id, customer_id))
            kept = self._conversations.get((phone_number_id, survivor))
            self._conversations[(phone_number_id, survivor)] = join_threads(kept, moved, survivor)

    def snapshot(self) -> Restore:
        """For the post writer's all-or-nothing: what to call to undo every change made after this."""
        return saved(self._conversations)

    def stored(self) -> Iterator[Conversation]:
        """Every stored conversation, uncopied: for the in-memory search, which only reads them."""
        return iter(self._conversations.values())

    async def list(
        self, *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[Conversation]:
        chosen = (c for c in self._conversations.values() if phone_number_id in (None, c.phone_number_id))
        page = newest_first_page(chosen, lambda c: (c.last_activity_at, c.customer_id), cursor, limit)
        return Page(items=[msgspec.structs.replace(c) for c in page.items], next_cursor=page.next_cursor)

    async def closing_unanswered(
        self, *, phone_number_id: PhoneNumberId | None, now: datetime
    ) -> Sequence[Conversation]:
        closing = [
            msgspec.structs.replace(c) for c in self._conversations.values()
            if phone_number_id in (None, c.phone_number_id) and c.is_closing_unanswered(now)
        ]
        return sorted(closing, key=lambda c: (c.window.closes_at or now, c.phone_number_id, c.customer_id))
