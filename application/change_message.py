"""ChangeMessage: a customer's edit, deletion or reaction applied to the message it concerns.

Meta does not order webhooks, so the change may come before the message it changes: it is then
parked under that message's wamid and applied when the message arrives, as statuses are.
"""

from __future__ import annotations

from application.live import message_event
from application.ports import LiveEvents, MessageStore
from domain.ids import Wamid
from domain.message_changes import MessageChange
from domain.messages import Message, with_change


class ChangeMessage:
    def __init__(self, *, messages: MessageStore, live_events: LiveEvents) -> None:
        self._messages = messages
        self._live = live_events

    async def __call__(self, original: Wamid, change: MessageChange) -> None:
        target = await self._messages.find_by_wamid(original)
        if target is None:
            await self._messages.park_change(original, change)
            target = await self._messages.find_by_wamid(original)
            if target is not None:
                await self.apply_parked(target)
            return
        await self._apply(target, [change])

    async def apply_parked(self, message: Message) -> None:
        """The changes that came before `message` did; the message itself was just stored."""
        if message.wamid is None:
            return
        parked = await self._messages.take_parked_changes(message.wamid)
        if parked:
            await self._apply(message, parked)

    async def _apply(self, target: Message, changes: list[MessageChange]) -> None:
        def change_all(message: Message) -> Message:
            for change in changes:
                message = with_change(message, change)
            return message

        updated = await self._messages.update(target.id, change_all)
        if updated is not None and updated != target:
            await self._live.publish("message.updated", message_event(updated))
