"""One stored webhook POST written in one Firestore transaction: all of it, or none of it.

Firestore wants every read of a transaction before its first write, while the changes of one POST
depend on each other (two messages of one customer change one conversation, two statuses one
message). So the changes are worked out against a view of the documents: read once through the
transaction, then held in memory as changed, and only at the end are all writes handed to the
transaction. A contended transaction reruns the whole POST from fresh reads.
"""

from __future__ import annotations

from typing import Any

import msgspec
from google.cloud import firestore
from google.cloud.firestore_v1.async_transaction import async_transactional
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.conversations import conversation_fields
from adapters.firestore.day_tallies import count_change
from adapters.firestore.documents import TRANSACTION_ATTEMPTS, document_key, from_payload, utc
from adapters.firestore.media import media_fields
from adapters.firestore.message_fields import message_fields, thread_copy, thread_fields
from adapters.firestore.messages import parked_fields
from adapters.firestore.templates import template_fields
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
from domain.conversations import Conversation, record_change
from domain.ids import Wamid
from domain.message_changes import MessageChange
from domain.messages import Message
from domain.templates import MessageTemplate

Fields = dict[str, Any]


class _View:
    """The documents of one transaction: read through it once, then as this POST's changes left them."""

    def __init__(self, transaction: Any) -> None:
        self._transaction = transaction
        self._documents: dict[str, tuple[Any, Fields | None]] = {}
        self._written: dict[str, Fields] = {}
        self._deleted: dict[str, Any] = {}
        self.counts: list[tuple[Message | None, Message]] = []

    async def get(self, reference: Any) -> Fields | None:
        if reference.path not in self._documents:
            snapshot = await reference.get(transaction=self._transaction)
            self._documents[reference.path] = (reference, snapshot.to_dict() if snapshot.exists else None)
        return self._documents[reference.path][1]

    async def found(self, query: Any) -> Any | None:
        """The first document a query finds (a template by Meta's id), read through the transaction."""
        async for snapshot in query.limit(1).stream(transaction=self._transaction):
            return snapshot.reference
        return None

    async def all_found(self, query: Any) -> list[Any]:
        """Every document a query finds, read through the transaction (not through this view)."""
        return [snapshot async for snapshot in query.stream(transaction=self._transaction)]

    def set(self, reference: Any, fields: Fields) -> None:
        self._documents[reference.path] = (reference, fields)
        self._written[reference.path] = fields

    def delete(self, reference: Any) -> None:
        self._deleted[reference.path] = reference

    def commit_to(self, client: Any) -> None:
        for path, fields in self._written.items():
            self._transaction.set(self._documents[path][0], fields)
        for reference in self._deleted.values():
            self._transaction.delete(reference)
        for before, after in self.counts:
            count_change(self._transaction, client, before, after)


class FirestorePostWriter:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._messages = client.collection("messages")
        self._wamids = client.collection("wamids")
        self._parked = client.collection("parked_statuses")
        self._parked_changes = client.collection("parked_changes")
        self._conversations = client.collection("conversations")
        self._media = client.collection("media")
        self._templates = client.collection("templates")
        self._inbox = client.collection("inbox")

    async def write(self, post: PostChanges) -> PostOutcome:
        @async_transactional
        async def apply(transaction: Any) -> PostOutcome:
            view = _View(transaction)
            updated: list[Message] = []
            first_deliveries = [await self._receive(view, change, updated) for change in post.received]
            statuses = [await self._report_status(view, change) for change in post.statuses]
            for change in post.changes:
                await self._change_message(view, change, updated)
            outcome = PostOutcome(
                first_deliveries=first_deliveries,
                statuses=statuses,
                templates=[await self._change_template(view, change) for change in post.templates],
                updated=last_versions(updated),
            )
            await self._mark_processed(view, post)
            view.commit_to(self._client)
            return outcome

        result: PostOutcome = await apply(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return result

    async def _receive(self, view: _View, change: Receive, updated: list[Message]) -> bool:
        message = change.message
        assert message.wamid is not None, "a customer's message always has Meta's id"
        claim = self._wamids.document(document_key(message.wamid))
        first = await view.get(claim) is None
        if first:
            view.set(self._messages.document(message.id), message_fields(message))
            view.set(thread_copy(self._client, message), thread_fields(message))
            view.set(claim, {"message_id": message.id})
            view.counts.append((None, message))
        if change.media is not None:
            media = self._media.document(document_key(change.media.id))
            if await view.get(media) is None:
                view.set(media, media_fields(change.media))
        conversation = self._conversations.document(document_key(message.phone_number_id, message.customer_id))
        current = await view.get(conversation)
        view.set(conversation, conversation_fields(change.conversation(_conversation(current), first)))
        if first:
            await self._apply(view, message, await self._take_parked_changes(view, message.wamid), updated)
        return first

    async def _take_parked_changes(self, view: _View, wamid: Wamid) -> list[MessageChange]:
        parked = await view.all_found(self._parked_changes.where(filter=FieldFilter("wamid", "==", wamid)))
        for snapshot in parked:
            view.delete(snapshot.reference)
        return [msgspec.json.decode(s.get("change"), type=MessageChange) for s in sorted(parked, key=lambda s: s.get("at"))]

    async def _change_message(self, view: _View, change: ChangeMessage, updated: list[Message]) -> None:
        claim = await view.get(self._wamids.document(document_key(change.original)))
        fields = None if claim is None else await view.get(self._messages.document(claim["message_id"]))
        if fields is None:
            parked = {"wamid": change.original, "change": msgspec.json.encode(change.change).decode()}
            view.set(self._parked_changes.document(), parked | {"at": firestore.SERVER_TIMESTAMP})
            return
        await self._apply(view, from_payload(fields, Message), [change.change], updated)

    async def _apply(self, view: _View, message: Message, changes: list[MessageChange], updated: list[Message]) -> None:
        after = changed(message, changes)
        if after == message:
            return
        view.set(self._messages.document(after.id), message_fields(after))
        view.set(thread_copy(self._client, after), thread_fields(after))
        conversation = self._conversations.document(document_key(after.phone_number_id, after.customer_id))
        shown = record_change(_conversation(await view.get(conversation)), after)
        if shown is not None:
            view.set(conversation, conversation_fields(shown))
        updated.append(after)

    async def _report_status(self, view: _View, change: ReportStatus) -> StatusApplied | None:
        reference = None if change.message_id is None else self._messages.document(change.message_id)
        fields = None if reference is None else await view.get(reference)
        if fields is None:
            claim = await view.get(self._wamids.document(document_key(change.wamid)))
            reference = None if claim is None else self._messages.document(claim["message_id"])
            fields = None if reference is None else await view.get(reference)
        if reference is None or fields is None:
            await self._park(view, change)
            return None
        before = from_payload(fields, Message)
        after = change.change(before)
        view.set(reference, message_fields(after))
        view.set(thread_copy(self._client, after), thread_fields(after))
        if after.wamid is not None and after.wamid != before.wamid:
            view.set(self._wamids.document(document_key(after.wamid)), {"message_id": after.id})
        view.counts.append((before, after))
        return StatusApplied(before=before, after=after)

    async def _park(self, view: _View, change: ReportStatus) -> None:
        reference = self._parked.document(document_key(change.wamid))
        status = ParkedStatus(event=change.event, pricing=change.pricing, conversation=change.conversation)
        view.set(reference, parked_fields(await view.get(reference), status))

    async def _change_template(self, view: _View, change: ChangeTemplate) -> MessageTemplate | None:
        reference = self._templates.document(document_key(change.name, change.language))
        if await view.get(reference) is None:
            found = await view.found(self._templates.where(filter=FieldFilter("id", "==", change.template_id)))
            if found is None:
                return None
            reference = found
        fields = await view.get(reference)
        changed = None if fields is None else change.change(from_payload(fields, MessageTemplate))
        if changed is not None:
            view.set(reference, template_fields(changed))
        return changed

    async def _mark_processed(self, view: _View, post: PostChanges) -> None:
        """As FirestoreInbox.mark_processed: the first time stays, and a replayed quarantine ends."""
        reference = self._inbox.document(post.inbox_event_id)
        fields = await view.get(reference)
        if fields is not None and (not fields.get("processed") or fields.get("quarantined")):
            done = {"processed": True, "processed_at": utc(post.processed_at), "quarantined": False}
            view.set(reference, fields | done)




def _conversation(fields: Fields | None) -> Conversation | None:
    return None if fields is None else from_payload(fields, Conversation)
