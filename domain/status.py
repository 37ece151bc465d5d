"""Message status: a record that only moves forward, whatever order Meta's webhooks arrive in.

Meta delivers status webhooks at least once and in no guaranteed order (`delivered` after `read`,
`sent` after `delivered`, duplicates). A record is therefore the join of every event seen: the
highest status reached (`failed` overrides all), and for each status the earliest of Meta's own
timestamps. Joining is commutative, associative and idempotent, so any permutation of any
duplicated sequence of events ends in the same record as the in-order sequence.
"""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    UNKNOWN = "unknown"
    """A call to Meta began and its outcome was never recorded (a crash): held, never re-sent blindly."""
    ACCEPTED = "accepted"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {status: rank for rank, status in enumerate(MessageStatus)}


class Failure(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Why Meta (or wahub, for retries exhausted) gave up on a message, in Meta's own terms."""

    code: int
    title: str
    details: str | None = None

    def sort_key(self) -> tuple[int, str, str]:
        return (self.code, self.title, self.details or "")


class StatusEvent(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    status: MessageStatus
    at: datetime
    failure: Failure | None = None


class StatusRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    status: MessageStatus
    reached_at: dict[MessageStatus, datetime]
    failure: Failure | None = None

    @classmethod
    def queued(cls, at: datetime) -> StatusRecord:
        return cls(status=MessageStatus.QUEUED, reached_at={MessageStatus.QUEUED: at})

    def at(self, status: MessageStatus) -> datetime | None:
        return self.reached_at.get(status)


def apply_status(record: StatusRecord, event: StatusEvent) -> StatusRecord:
    """Join one event into the record; a duplicate or a late, lower status changes nothing."""
    reached = dict(record.reached_at)
    earlier = reached.get(event.status)
    if earlier is None or event.at < earlier:
        reached[event.status] = event.at
    return StatusRecord(
        status=_highest(reached),
        reached_at=reached,
        failure=_earliest_failure(record, event),
    )


def _highest(reached: dict[MessageStatus, datetime]) -> MessageStatus:
    if MessageStatus.FAILED in reached:
        return MessageStatus.FAILED
    return max(reached, key=lambda status: status.rank)


def _earliest_failure(record: StatusRecord, event: StatusEvent) -> Failure | None:
    if event.status is not MessageStatus.FAILED or event.failure is None:
        return record.failure
    known_at = record.reached_at.get(MessageStatus.FAILED)
    if record.failure is None or known_at is None:
        return event.failure
    if (event.at, event.failure.sort_key()) < (known_at, record.failure.sort_key()):
        return event.failure
    return record.failure
