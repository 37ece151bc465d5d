"""Messages kept in dicts, indexed by wahub's id and by Meta's wamid."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import msgspec

from adapters.memory.cursor import newest_first_page
from adapters.memory.message_analytics import InMemoryMessageAnalytics
from adapters.memory.rollback import Restore, saved
from application.records import Page, ParkedStatus
from domain.ids import CustomerId, MessageId, PhoneNumberId, Wamid
from domain.message_changes import MessageChange
from domain.messages import Direction, Message


class InMemoryMessageStore:
    """Copies go in and out, so a caller mutating a Message never changes what is stored, as with a database.

    No method awaits between reading and writing, so each one is atomic on the event loop without a lock.
    """

    def __init__(self) -> None:
        self._messages: dict[MessageId, Message] = {}
        self._ids_by_wamid: dict[Wamid, MessageId] = {}
        self._parked: dict[Wamid, list[ParkedStatus]] = {}
        self._parked_changes: dict[Wamid, list[MessageChange]] = {}
        self.analytics = InMemoryMessageAnalytics(self._messages.values)

    async def add(self, message: Message) -> bool:
        if message.id in self._messages or (message.wamid is not None and message.wamid in self._ids_by_wamid):
            return False
        self._keep(message)
        return True

    async def get(self, message_id: MessageId) -> Message | None:
        return _copy(self._messages.get(message_id))

    async def find_by_wamid(self, wamid: Wamid) -> Message | None:
        message_id = self._ids_by_wamid.get(wamid)
        return None if message_id is None else _copy(self._messages.get(message_id))

    async def update(self, message_id: MessageId, change: Callable[[Message], Message]) -> Message | None:
        current = self._messages.get(message_id)
        if current is None:
            return None
        changed = change(msgspec.structs.replace(current))
        self._keep(changed)
        return _copy(changed)

    async def history(
        self, phone_number_id: PhoneNumberId, customer_id: CustomerId, *, cursor: str | None, limit: int
    ) -> Page[Message]:
        thread = (
            m for m in self._messages.values() if m.phone_number_id == phone_number_id and m.customer_id == customer_id
        )
        page = newest_first_page(thread, lambda m: (m.created_at, m.id), cursor, limit)
        return Page(items=[msgspec.structs.replace(m) for m in page.items], next_cursor=page.next_cursor)

    async def park_status(self, wamid: Wamid, parked: ParkedStatus) -> None:
        self._parked.setdefault(wamid, []).append(parked)

    async def take_parked_statuses(self, wamid: Wamid) -> list[ParkedStatus]:
        return self._parked.pop(wamid, [])

    async def park_change(self, original: Wamid, change: MessageChange) -> None:
        """For the post writer: an edit, deletion or reaction whose message has not arrived yet."""
        self._parked_changes.setdefault(original, []).append(change)

    async def take_parked_changes(self, original: Wamid) -> list[MessageChange]:
        return self._parked_changes.pop(original, [])

    async def prune_parked_statuses(self, reported_before: datetime, limit: int) -> int:
        doomed = [wamid for wamid, parked in self._parked.items() if parked[0].event.at < reported_before][:limit]
        for wamid in doomed:
            del self._parked[wamid]
        return len(doomed)

    async def business_initiated_recipients(self, since: datetime) -> dict[CustomerId, datetime]:
        latest: dict[CustomerId, datetime] = {}
        for m in self._messages.values():
            if m.direction is Direction.OUTBOUND and m.business_initiated and m.created_at >= since:
                latest[m.customer_id] = max(m.created_at, latest.get(m.customer_id, m.created_at))
        return latest

    def move_customer(self, absorbed: CustomerId, survivor: CustomerId) -> None:
        """The customer directory found two customers to be one person: their messages become one thread."""
        for message in list(self._messages.values()):
            if message.customer_id == absorbed:
                self._keep(msgspec.structs.replace(message, customer_id=survivor))

    def snapshot(self) -> Restore:
        """For the post writer's all-or-nothing: what to call to undo every change made after this."""
        return saved(self._messages, self._ids_by_wamid, self._parked, self._parked_changes)

    def stored(self) -> Iterator[Message]:
        """Every stored message, uncopied: for the in-memory search, which only reads them."""
        return iter(self._messages.values())

    def _keep(self, message: Message) -> None:
        """A wamid recorded by an update (the send was accepted) becomes findable at once."""
        self._messages[message.id] = msgspec.structs.replace(message)
        if message.wamid is not None:
            self._ids_by_wamid[message.wamid] = message.id


def _copy(message: Message | None) -> Message | None:
    return None if message is None else msgspec.structs.replace(message)
