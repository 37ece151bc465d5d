"""The changes one stored webhook POST makes, which the store writes as one unit of work.

Applying a POST used to be a series of writes (the message, then its conversation, then each
status, then the processed mark): a crash between two of them, replayed, could count a message
as unread twice or not at all, and lose its live event. Now the use case reads nothing and decides
nothing that a concurrent write could change: each change is a function the store applies to the
record as it finds it inside its transaction, and the POST's processed mark is written with them.
Either all of a POST is stored, or none of it is and the POST is applied again later.

Live events are published from the outcome, after the commit, so none is published for a change
that was rolled back, and a replay publishes what the first application did not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from application.records import MediaRecord
from domain.conversations import Conversation
from domain.ids import MessageId, Wamid
from domain.message_changes import MessageChange
from domain.messages import BillingConversation, Message, Pricing, with_change
from domain.status import StatusEvent
from domain.templates import MessageTemplate


@dataclass(frozen=True, kw_only=True)
class Receive:
    """A customer's message: stored once by wamid, its media remembered, its conversation changed."""

    message: Message
    media: MediaRecord | None
    """Saved only when no record of this media id exists yet (a redelivery keeps the download's progress)."""
    conversation: Callable[[Conversation | None, bool], Conversation]
    """The conversation's change, told whether this is the first delivery of the message."""


@dataclass(frozen=True, kw_only=True)
class ReportStatus:
    """A status of one of our sends: applied to its message, or parked until the send is recorded."""

    message_id: MessageId | None
    """Our id, as echoed in biz_opaque_callback_data; the message is looked up by `wamid` without it."""
    wamid: Wamid
    event: StatusEvent
    pricing: Pricing | None
    conversation: BillingConversation | None
    """Parked with the status, as `pricing` is, so a status applied late keeps every detail Meta sent."""
    change: Callable[[Message], Message]


@dataclass(frozen=True, kw_only=True)
class ChangeMessage:
    """A customer's edit, deletion or reaction: applied to the message it concerns, or, when that message
    is not stored yet, parked under its wamid and applied by the unit of work that stores it."""

    original: Wamid
    change: MessageChange


@dataclass(frozen=True, kw_only=True)
class ChangeTemplate:
    """Meta's verdict on a template, looked up by name and language, else by Meta's id."""

    name: str
    language: str
    template_id: str
    change: Callable[[MessageTemplate], MessageTemplate | None]
    """None: nothing to change (a template status wahub does not know yet)."""


@dataclass(frozen=True, kw_only=True)
class PostChanges:
    inbox_event_id: str
    processed_at: datetime
    received: list[Receive] = field(default_factory=list)
    statuses: list[ReportStatus] = field(default_factory=list)
    changes: list[ChangeMessage] = field(default_factory=list)
    """Applied after `received`, so an edit in the same POST as its message finds it."""
    templates: list[ChangeTemplate] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class StatusApplied:
    before: Message
    after: Message


@dataclass(frozen=True, kw_only=True)
class PostOutcome:
    """What the unit of work did, in the order of the changes of each kind."""

    first_deliveries: list[bool]
    statuses: list[StatusApplied | None]
    """None for a status parked (its message is not known yet)."""
    templates: list[MessageTemplate | None]
    """The template as changed, None when unknown or unchanged."""
    updated: list[Message]
    """Messages an edit, deletion or reaction changed (a message received with changes parked for it too),
    each once, as left by the last of them."""


def changed(message: Message, changes: Iterable[MessageChange]) -> Message:
    """The message with the customer's changes joined in (domain.message_changes: any order, any repeat)."""
    for change in changes:
        message = with_change(message, change)
    return message


def last_versions(messages: Iterable[Message]) -> list[Message]:
    """Each message once, as last changed: what a unit of work reports as `updated`."""
    return list({message.id: message for message in messages}.values())
