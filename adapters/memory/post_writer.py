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
    ChangeTemplate,
    PostChanges,
    PostOutcome,
    Receive,
    ReportStatus,
    StatusApplied,
)
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
        outcome = PostOutcome(
            first_deliveries=[await self._receive(change) for change in post.received],
            statuses=[await self._report_status(change) for change in post.statuses],
            templates=[await self._change_template(change) for change in post.templates],
        )
        await self._inbox.mark_processed(post.inbox_event_id, post.processed_at)
        return outcome

    async def _receive(self, change: Receive) -> bool:
        message = change.message
        first = await self._messages.add(message)
        if change.media is not None and await self._media.get(change.media.id) is None:
            await self._media.save(change.media)
        await self._conversations.update(
            message.phone_number_id, message.customer_id, lambda current: change.conversation(current, first)
        )
        return first

    async def _report_status(self, change: ReportStatus) -> StatusApplied | None:
        message = None if change.message_id is None else await self._messages.get(change.message_id)
        message = message or await self._messages.find_by_wamid(change.wamid)
        if message is None:
            await self._messages.park_status(change.wamid, change.event, change.pricing)
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
