"""In-memory adapters: the fakes every use-case test runs on, and the `memory` store mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from adapters.memory.api_keys import InMemoryApiKeyStore
from adapters.memory.conversations import InMemoryConversationStore
from adapters.memory.customers import InMemoryCustomerDirectory
from adapters.memory.idempotency import InMemoryIdempotencyKeys
from adapters.memory.inbox import InMemoryInbox
from adapters.memory.media import InMemoryMediaStore
from adapters.memory.messages import InMemoryMessageStore
from adapters.memory.outbox import InMemoryOutbox
from adapters.memory.post_writer import InMemoryPostWriter
from adapters.memory.search import InMemoryConversationSearch
from adapters.memory.sending_leases import InMemorySendingLeases
from adapters.memory.templates import InMemoryTemplateStore


@dataclass(kw_only=True)
class MemoryStores:
    """One fresh instance of every store, so the composition root and tests wire a whole set in one line."""

    messages: InMemoryMessageStore = field(default_factory=InMemoryMessageStore)
    conversations: InMemoryConversationStore = field(default_factory=InMemoryConversationStore)
    templates: InMemoryTemplateStore = field(default_factory=InMemoryTemplateStore)
    media: InMemoryMediaStore = field(default_factory=InMemoryMediaStore)
    inbox: InMemoryInbox = field(default_factory=InMemoryInbox)
    sending_leases: InMemorySendingLeases = field(default_factory=InMemorySendingLeases)
    outbox: InMemoryOutbox = field(init=False)
    idempotency_keys: InMemoryIdempotencyKeys = field(default_factory=InMemoryIdempotencyKeys)
    api_keys: InMemoryApiKeyStore = field(default_factory=InMemoryApiKeyStore)
    customers: InMemoryCustomerDirectory = field(init=False)

    def __post_init__(self) -> None:
        """The directory moves messages and conversations when it merges customers, so it holds these two;
        the outbox checks the sending leases before a call is marked."""
        object.__setattr__(self, "customers", InMemoryCustomerDirectory(self.messages, self.conversations))
        self.outbox = InMemoryOutbox(self.sending_leases)

    @cached_property
    def post_writer(self) -> InMemoryPostWriter:
        return InMemoryPostWriter(
            messages=self.messages,
            conversations=self.conversations,
            media=self.media,
            templates=self.templates,
            inbox=self.inbox,
        )
    @property
    def search(self) -> InMemoryConversationSearch:
        """Reads the messages and conversations above; it keeps nothing of its own."""
        return InMemoryConversationSearch(self.messages, self.conversations)
