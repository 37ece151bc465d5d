"""Every store over one SQLite file, opened (and migrated) together and closed together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from adapters.memory.sending_leases import InMemorySendingLeases
from adapters.sqlite.api_keys import SqliteApiKeyStore
from adapters.sqlite.conversations import SqliteConversationStore
from adapters.sqlite.customers import SqliteCustomerDirectory
from adapters.sqlite.database import Database
from adapters.sqlite.idempotency import SqliteIdempotencyKeys
from adapters.sqlite.inbox import SqliteInbox
from adapters.sqlite.media import SqliteMediaStore
from adapters.sqlite.messages import SqliteMessageStore
from adapters.sqlite.outbox import SqliteOutbox
from adapters.sqlite.post_writer import SqlitePostWriter
from adapters.sqlite.search import SqliteConversationSearch
from adapters.sqlite.templates import SqliteTemplateStore


@dataclass(frozen=True, kw_only=True)
class SqliteStores:
    database: Database
    messages: SqliteMessageStore
    conversations: SqliteConversationStore
    templates: SqliteTemplateStore
    media: SqliteMediaStore
    inbox: SqliteInbox
    outbox: SqliteOutbox
    idempotency_keys: SqliteIdempotencyKeys
    api_keys: SqliteApiKeyStore
    customers: SqliteCustomerDirectory
    post_writer: SqlitePostWriter
    search: SqliteConversationSearch
    sending_leases: InMemorySendingLeases
    """In this process: one dispatcher (the worker process) sends for a SQLite database."""

    async def close(self) -> None:
        await self.database.close()


async def open_sqlite_stores(path: Path) -> SqliteStores:
    """Creates the file (and its directory) when missing; raises StoreUnavailable for a file it cannot use."""
    database = await asyncio.to_thread(Database.open, path)
    return SqliteStores(
        database=database,
        messages=SqliteMessageStore(database),
        conversations=SqliteConversationStore(database),
        templates=SqliteTemplateStore(database),
        media=SqliteMediaStore(database),
        inbox=SqliteInbox(database),
        outbox=SqliteOutbox(database),
        idempotency_keys=SqliteIdempotencyKeys(database),
        api_keys=SqliteApiKeyStore(database),
        customers=SqliteCustomerDirectory(database),
        post_writer=SqlitePostWriter(database),
        search=SqliteConversationSearch(database),
        sending_leases=InMemorySendingLeases(),
    )
