"""The customer directory in dicts; merging moves the in-memory messages and conversations with it."""

from __future__ import annotations

from adapters.memory.conversations import InMemoryConversationStore
from adapters.memory.messages import InMemoryMessageStore
from domain.customers import Customer, Identification, Sighting, identify
from domain.ids import CustomerId


class InMemoryCustomerDirectory:
    def __init__(self, messages: InMemoryMessageStore, conversations: InMemoryConversationStore) -> None:
        self._messages = messages
        self._conversations = conversations
        self._customers: dict[CustomerId, Customer] = {}
        self._by_handle: dict[str, CustomerId] = {}

    async def identify(self, sighting: Sighting) -> Identification | None:
        ids = {self._by_handle[h] for h in sighting.handles() if h in self._by_handle}
        result = identify([self._customers[i] for i in sorted(ids)], sighting)
        if result is None:
            return None
        customer = result.customer
        for absorbed in result.absorbed:
            self._messages.move_customer(absorbed, customer.id)
            self._conversations.merge_customer(absorbed, customer.id)
            del self._customers[absorbed]
        self._customers[customer.id] = customer
        self._by_handle.update(dict.fromkeys((*customer.handles, customer.id), customer.id))
        return result

    async def find(self, handle: str) -> Customer | None:
        customer_id = self._by_handle.get(handle)
        return None if customer_id is None else self._customers.get(customer_id)
