"""Search over the in-memory stores: every conversation and message read, the rule applied as domain.search states it."""

from __future__ import annotations

import msgspec

from adapters.memory.conversations import InMemoryConversationStore
from adapters.memory.cursor import newest_first_page
from adapters.memory.messages import InMemoryMessageStore
from application.records import ConversationMatch, Page
from domain.ids import CustomerId, PhoneNumberId
from domain.messages import Message
from domain.search import customer_text, matches, message_text, snippet


class InMemoryConversationSearch:
    def __init__(self, messages: InMemoryMessageStore, conversations: InMemoryConversationStore) -> None:
        self._messages = messages
        self._conversations = conversations

    async def search(
        self, terms: tuple[str, ...], *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[ConversationMatch]:
        latest: dict[tuple[PhoneNumberId, CustomerId], Message] = {}
        for message in self._messages.stored():  # in the order stored: the last match wins
            if matches(terms, message_text(message.content)):
                latest[(message.phone_number_id, message.customer_id)] = message
        found: list[ConversationMatch] = []
        for conversation in self._conversations.stored():
            hit = latest.get((conversation.phone_number_id, conversation.customer_id))
            if phone_number_id not in (None, conversation.phone_number_id):
                continue
            if hit is not None or matches(terms, customer_text(conversation)):
                text = None if hit is None else snippet(message_text(hit.content), terms)
                found.append(ConversationMatch(conversation=msgspec.structs.replace(conversation), snippet=text))
        return newest_first_page(found, lambda m: (m.conversation.last_activity_at, m.conversation.customer_id), cursor, limit)
