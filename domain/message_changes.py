"""What a customer does to a message after sending it: edit it, delete it for everyone, react to one.

Each change is a value with Meta's time and its own wamid, and applying one is a join: a change
seen twice, or changes arriving in any order, leave the message as if each had come once, in
order. Content is never lost: an edit keeps every earlier version, a revoke only marks the message
deleted (kept for audit, shown as deleted).
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.content import Content
from domain.ids import Wamid


class Edit(msgspec.Struct, frozen=True, kw_only=True, tag="edit"):
    wamid: Wamid
    at: datetime
    content: Content


class Revoke(msgspec.Struct, frozen=True, kw_only=True, tag="revoke"):
    wamid: Wamid
    at: datetime


class ReactionChange(msgspec.Struct, frozen=True, kw_only=True, tag="reaction"):
    """The customer's reaction to a message; an empty emoji takes it back."""

    wamid: Wamid
    at: datetime
    emoji: str


MessageChange = Edit | Revoke | ReactionChange


def join_edits(edits: tuple[Edit, ...], edit: Edit) -> tuple[Edit, ...]:
    """Every edit once, oldest first: the last one is what the message shows."""
    if any(known.wamid == edit.wamid for known in edits):
        return edits
    return tuple(sorted((*edits, edit), key=lambda e: (e.at, e.wamid)))


def earliest_revoke(revoked_at: datetime | None, revoke: Revoke) -> datetime:
    return revoke.at if revoked_at is None else min(revoked_at, revoke.at)


def latest_reaction(current: ReactionChange | None, change: ReactionChange) -> ReactionChange:
    """A customer has one reaction per message: the latest by Meta's time wins, even when it is a removal."""
    if current is None or (change.at, change.wamid) > (current.at, current.wamid):
        return change
    return current
