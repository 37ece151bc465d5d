"""One stored webhook POST applied to the in-memory stores without yielding to the event loop.

No store method here awaits anything, so nothing else runs between the changes of one POST. All
or nothing, as the durable stores' transactions: a change that raises undoes the changes before
it (each store's snapshot, taken first: copies of its dicts, not of the records in them).
"""

from __future__ import annotations

from adapters.memory.conversations import InMemoryConversationStore
from adapters.memory.inbox import InMemoryInbox
from adapters.memory.media import InMemoryMediaStore
from adapters.memory.messages import InMemoryMessageStore
from adapters.memory.templates import InMemoryTemplateStore
from application.post_changes import (
    ChangeMessage,
    ChangeTemplate,
    PostChanges,
    PostOutcome,
    Receive,
    ReportStatus,
    StatusApplied,
    changed,
    last_versions,
)
from application.records import ParkedStatus
from domain.conversations import record_change
from domain.message_changes import MessageChange
from domain.messages import Message
from domain.templates import MessageTemplate


class InMemoryPostWriter:
    def __init__(
        self,
        *,
        messages: InMemoryMessageStore,
        conversations: InMemoryConversationStore,
        media: InMemoryMediaStore,
        templates: InMemoryTemplateStore,
        inbox: InMemoryInbox,
    ) -> None:
        self._messages = messages
        self._conversations = conversations
        self._media = media
        self._templates = templates
        self._inbox = inbox

    async def write(self, post: PostChanges) -> PostOutcome:
        stores = (self._messages, self._conversations, self._media, self._templates, self._inbox)
        undo = [store.snapshot() for store in stores]
        try:
            return await self._write(post)
        except BaseException:
            for restore in undo:
                restore()
            raise

    async def _write(self, post: PostChanges) -> PostOutcome:
        updated: list[Message] = []
        first_deliveries = [await self._receive(change, updated) for change in post.received]
        statuses = [await self._report_status(change) for change in post.statuses]
        for change in post.changes:
            await self._change_message(change, updated)
        outcome = PostOutcome(
            first_deliveries=first_deliveries,
            statuses=statuses,
            templates=[await self._change_template(change) for change in post.templates],
            updated=last_versions(updated),
        )
        await self._inbox.mark_processed(post.inbox_event_id, post.processed_at)
        return outcome

    async def _receive(self, change: Receive, updated: list[Message]) -> bool:
        message = change.message
        first = await self._messages.add(message)
        if change.media is not None and await self._media.get(change.media.id) is None:
            await self._media.save(change.media)
        await self._conversations.update(
            message.phone_number_id, message.customer_id, lambda current: change.conversation(current, first)
        )
        if first and message.wamid is not None:
            await self._apply(message, await self._messages.take_parked_changes(message.wamid), updated)
        return first

    async def _change_message(self, change: ChangeMessage, updated: list[Message]) -> None:
        target = await self._messages.find_by_wamid(change.original)
        if target is None:
            await self._messages.park_change(change.original, change.change)
        else:
            await self._apply(target, [change.change], updated)

    async def _apply(self, message: Message, changes: list[MessageChange], updated: list[Message]) -> None:
        after = changed(message, changes)
        if after == message:
            return
        await self._messages.update(message.id, lambda _: after)
        shown = record_change(await self._conversations.get(after.phone_number_id, after.customer_id), after)
        if shown is not None:
            await self._conversations.update(after.phone_number_id, after.customer_id, lambda _: shown)
        updated.append(after)

    async def _report_status(self, change: ReportStatus) -> StatusApplied | None:
        message = None if change.message_id is None else await self._messages.get(change.message_id)
        message = message or await self._messages.find_by_wamid(change.wamid)
        if message is None:
            parked = ParkedStatus(event=change.event, pricing=change.pricing, conversation=change.conversation)
            await self._messages.park_status(change.wamid, parked)
            return None
        after = await self._messages.update(message.id, change.change)
        return None if after is None else StatusApplied(before=message, after=after)

    async def _change_template(self, change: ChangeTemplate) -> MessageTemplate | None:
        template = await self._templates.get(change.name, change.language) or await self._templates.find_by_id(
            change.template_id
        )
        changed = None if template is None else change.change(template)
        if changed is not None:
            await self._templates.save(changed)
        return changed
