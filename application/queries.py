"""Read-side use cases: what the API and the dashboard show, straight from the stores."""

from __future__ import annotations

from application.ports import ConversationSearch, ConversationStore, MessageStore, TemplateStore
from application.records import ConversationMatch, Page
from domain.conversations import Conversation
from domain.errors import NotFound
from domain.ids import CustomerId, MessageId, PhoneNumberId
from domain.messages import Message
from domain.search import search_terms
from domain.templates import MessageTemplate


class GetMessage:
    def __init__(self, *, messages: MessageStore) -> None:
        self._messages = messages

    async def __call__(self, message_id: MessageId) -> Message:
        message = await self._messages.get(message_id)
        if message is None:
            raise NotFound(f"no message with id {message_id}")
        return message


class ListConversations:
    def __init__(self, *, conversations: ConversationStore) -> None:
        self._conversations = conversations

    async def __call__(self, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int) -> Page[Conversation]:
        return await self._conversations.list(phone_number_id=phone_number_id, cursor=cursor, limit=limit)


class SearchConversations:
    """The inbox's search box: by customer name, number, username or BSUID, or by any message's text."""

    def __init__(self, *, search: ConversationSearch) -> None:
        self._search = search

    async def __call__(
        self, query: str, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[ConversationMatch]:
        """Raises InvalidSearch when the query has nothing to look for."""
        terms = search_terms(query)
        return await self._search.search(terms, phone_number_id=phone_number_id, cursor=cursor, limit=limit)


class ConversationHistory:
    def __init__(self, *, messages: MessageStore) -> None:
        self._messages = messages

    async def __call__(
        self, phone_number_id: PhoneNumberId, customer_id: CustomerId, cursor: str | None, limit: int
    ) -> Page[Message]:
        return await self._messages.history(phone_number_id, customer_id, cursor=cursor, limit=limit)


class ListTemplates:
    def __init__(self, *, templates: TemplateStore) -> None:
        self._templates = templates

    async def __call__(self) -> list[MessageTemplate]:
        return await self._templates.list()
