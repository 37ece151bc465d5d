"""Every store over one Firestore AsyncClient, so the composition root wires and closes them together."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from adapters.firestore.api_keys import FirestoreApiKeyStore
from adapters.firestore.conversations import FirestoreConversationStore
from adapters.firestore.customers import FirestoreCustomerDirectory
from adapters.firestore.idempotency import FirestoreIdempotencyKeys
from adapters.firestore.inbox import FirestoreInbox
from adapters.firestore.media import FirestoreMediaStore
from adapters.firestore.messages import FirestoreMessageStore
from adapters.firestore.migrations import migrate
from adapters.firestore.outbox import FirestoreOutbox
from adapters.firestore.post_writer import FirestorePostWriter
from adapters.firestore.search import FirestoreConversationSearch
from adapters.firestore.sending_leases import FirestoreSendingLeases
from adapters.firestore.templates import FirestoreTemplateStore


class FirestoreStores:
    """The client reads FIRESTORE_EMULATOR_HOST itself, so the same code serves the emulator and production."""

    def __init__(self, *, project: str, database: str = "(default)") -> None:
        self._client: Any = firestore.AsyncClient(project=project, database=database)
        self.messages = FirestoreMessageStore(self._client)
        self.conversations = FirestoreConversationStore(self._client)
        self.templates = FirestoreTemplateStore(self._client)
        self.media = FirestoreMediaStore(self._client)
        self.inbox = FirestoreInbox(self._client)
        self.outbox = FirestoreOutbox(self._client)
        self.idempotency_keys = FirestoreIdempotencyKeys(self._client)
        self.api_keys = FirestoreApiKeyStore(self._client)
        self.customers = FirestoreCustomerDirectory(self._client)
        self.post_writer = FirestorePostWriter(self._client)
        self.search = FirestoreConversationSearch(self._client)
        self.sending_leases = FirestoreSendingLeases(self._client)

    async def migrate(self) -> None:
        """Bring documents of an earlier wahub to today's shape; done once at start-up, before any use."""
        await migrate(self._client)

    async def close(self) -> None:
        """AsyncClient has no close(); its gRPC channel must still be closed before the event loop ends."""
        await self._client._firestore_api.transport.close()
