"""One stored webhook POST written as one write of the single writer: one transaction, all or nothing.

Every change is applied to the rows as they are inside the transaction, and the POST's processed
mark is written with them, so a failure anywhere leaves no trace of the POST and a replay applies
it whole. The writer's group commit then writes a whole batch of POSTs with one fsync.
"""

from __future__ import annotations

import sqlite3

from adapters.sqlite.conversations import change_conversation, find_conversation
from adapters.sqlite.database import Database
from adapters.sqlite.inbox import inbox_seq, mark_processed
from adapters.sqlite.media import media_exists, save_media
from adapters.sqlite.messages import find_message, insert_message, rewrite_message
from adapters.sqlite.parked_changes import park_change, take_parked_changes
from adapters.sqlite.parked_statuses import park
from adapters.sqlite.templates import find_template, save_template
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


class SqlitePostWriter:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def write(self, post: PostChanges) -> PostOutcome:
        return await self._database.write(lambda connection: _write(connection, post))


def _write(connection: sqlite3.Connection, post: PostChanges) -> PostOutcome:
    updated: list[Message] = []
    first_deliveries = [_receive(connection, change, updated) for change in post.received]
    statuses = [_report_status(connection, change) for change in post.statuses]
    for change in post.changes:
        _change_message(connection, change, updated)
    outcome = PostOutcome(
        first_deliveries=first_deliveries,
        statuses=statuses,
        templates=[_change_template(connection, change) for change in post.templates],
        updated=last_versions(updated),
    )
    seq = inbox_seq(post.inbox_event_id)
    if seq is not None:
        mark_processed(connection, seq, post.processed_at)
    return outcome


def _receive(connection: sqlite3.Connection, change: Receive, updated: list[Message]) -> bool:
    first = insert_message(connection, change.message)
    if change.media is not None and not media_exists(connection, change.media.id):
        save_media(connection, change.media)
    message = change.message
    change_conversation(
        connection, message.phone_number_id, message.customer_id, lambda current: change.conversation(current, first)
    )
    if first and message.wamid is not None:
        _apply(connection, message, take_parked_changes(connection, message.wamid), updated)
    return first


def _change_message(connection: sqlite3.Connection, change: ChangeMessage, updated: list[Message]) -> None:
    target = find_message(connection, "wamid", change.original)
    if target is None:
        park_change(connection, change.original, change.change)
    else:
        _apply(connection, target, [change.change], updated)


def _apply(connection: sqlite3.Connection, message: Message, changes: list[MessageChange], updated: list[Message]) -> None:
    after = changed(message, changes)
    if after == message:
        return
    rewrite_message(connection, after)
    shown = record_change(find_conversation(connection, after.phone_number_id, after.customer_id), after)
    if shown is not None:
        change_conversation(connection, after.phone_number_id, after.customer_id, lambda _: shown)
    updated.append(after)


def _report_status(connection: sqlite3.Connection, change: ReportStatus) -> StatusApplied | None:
    message = None if change.message_id is None else find_message(connection, "id", change.message_id)
    message = message or find_message(connection, "wamid", change.wamid)
    if message is None:
        park(connection, change.wamid, ParkedStatus(event=change.event, pricing=change.pricing, conversation=change.conversation))
        return None
    after = change.change(message)
    rewrite_message(connection, after)
    return StatusApplied(before=message, after=after)


def _change_template(connection: sqlite3.Connection, change: ChangeTemplate) -> MessageTemplate | None:
    template = find_template(connection, change.name, change.language, change.template_id)
    changed = None if template is None else change.change(template)
    if changed is not None:
        save_template(connection, changed)
    return changed
