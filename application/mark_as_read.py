"""MarkAsRead: show the customer blue ticks (and optionally "typing…") and clear the unread count.

Meta marks every earlier message of the thread read with the latest one, so only the newest
inbound wamid is sent.
"""

from __future__ import annotations

from application.ports import CloudApi, ConversationStore
from domain.conversations import Conversation, mark_read
from domain.errors import NotFound
from domain.ids import CustomerId, PhoneNumberId


class MarkAsRead:
    def __init__(self, *, conversations: ConversationStore, cloud_api: CloudApi) -> None:
        self._conversations = conversations
        self._cloud_api = cloud_api

    async def __call__(self, phone_number_id: PhoneNumberId, customer_id: CustomerId, *, typing: bool = False) -> Conversation:
        conversation = await self._conversations.get(phone_number_id, customer_id)
        if conversation is None or conversation.last_inbound_wamid is None:
            raise NotFound(f"customer {customer_id} has sent nothing to {phone_number_id} that could be marked read")
        await self._cloud_api.mark_read(phone_number_id, conversation.last_inbound_wamid, typing=typing)
        return await self._conversations.update(
            phone_number_id, customer_id, lambda current: mark_read(current or conversation)
        )
