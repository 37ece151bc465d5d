"""Records the use cases keep through the ports: queue entries, keys, media, live events, pages."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from domain.conversations import Conversation
from domain.ids import CustomerId, MessageId, PhoneNumberId
from domain.messages import BillingConversation, Pricing
from domain.rate_limits import PaceState, PairState, ThroughputState
from domain.status import StatusEvent

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of a list; pass `next_cursor` back to get the following one (None: no more)."""

    items: list[T]
    next_cursor: str | None = None


class ParkedStatus(msgspec.Struct, frozen=True, array_like=True):
    """A status that came before its send was recorded, with every detail Meta sent in it.

    Kept as an array: rows parked before `conversation` was kept ([event, pricing]) still decode.
    """

    event: StatusEvent
    pricing: Pricing | None = None
    conversation: BillingConversation | None = None


class ConversationMatch(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A conversation a search found; `snippet` shows the matching message text, when a message matched."""

    conversation: Conversation
    snippet: str | None = None


class InboxEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A webhook POST exactly as received and verified, kept until it has been applied.

    `attempts` counts the applications of it that failed: each POST backs off alone, and is
    quarantined after too many, so one bad POST never holds up the others.
    """

    id: str
    untrusted_body: bytes
    received_at: datetime
    attempts: int = 0


class InboxFailure(msgspec.Struct, frozen=True, kw_only=True):
    """One failed application of a stored POST: tried again at `retry_at`, or quarantined when None."""

    attempts: int
    error: str
    """The whole error, traceback included: what an operator needs to fix the cause."""
    at: datetime
    retry_at: datetime | None


class QuarantinedPost(msgspec.Struct, frozen=True, kw_only=True):
    """A POST given up after too many failed applications, kept with its last error until replayed."""

    id: str
    received_at: datetime
    attempts: int
    error: str
    quarantined_at: datetime
    size: int


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """One delivery of an announced piece of work (a POST's inbox id, a message id) by a shared work queue."""

    work_id: str
    attempt: int
    """Which delivery of it this is (1 the first); a queue gives up after a fixed number (dead letters)."""
    receipt: str
    """What the queue needs to settle this delivery (Pub/Sub's ack id)."""


class OutboxEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A queued message waiting for the dispatcher; `attempt` counts calls already made to Meta."""

    message_id: MessageId
    phone_number_id: PhoneNumberId
    customer_id: CustomerId
    due_at: datetime
    attempt: int = 0
    called_at: datetime | None = None
    """When a call to Meta for it began, while that call's outcome is not recorded: after a crash, its outcome is unknown."""


class Role(enum.StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    INTEGRATOR = "integrator"


class ApiKey(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An API key as stored: only the hash of the secret, never the secret itself."""

    id: str
    name: str
    role: Role
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


class MediaDownload(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Inbound media still to fetch from Meta, due at `due_at`; Meta's URLs live minutes, the media 30 days."""

    due_at: datetime
    attempts: int = 0
    last_error: str | None = None


class MediaRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Media known to wahub: uploaded by us, or sent by a customer and fetched from Meta.

    `sha256` (hex) names the bytes in the blob store; it is None while an inbound download is
    pending (`download` set) or after it was given up (`download_error` set).
    """

    id: str
    kind: str
    mime_type: str
    created_at: datetime
    direction: str = "outbound"
    size: int | None = None
    sha256: str | None = None
    filename: str | None = None
    download: MediaDownload | None = None
    download_error: str | None = None


class LiveEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A change dashboards and integrators follow live; `id` grows, so a client can resume after it."""

    id: int
    type: str
    data: dict[str, Any]


class CachedResult(msgspec.Struct, frozen=True, kw_only=True):
    """What an Idempotency-Key answered the first time."""

    message_id: MessageId
    expires_at: datetime


class NumberPacing(msgspec.Struct, frozen=True, kw_only=True):
    """A dispatcher's memory of one number's recent sends, handed to the next holder of its sending lease."""

    throughput: ThroughputState = ThroughputState()
    pace: PaceState = PaceState()
    pairs: dict[CustomerId, PairState] = msgspec.field(default_factory=dict)
    """Only recipients still cooling down: the others' fresh state is the default one."""


class SendingLease(msgspec.Struct, frozen=True, kw_only=True):
    """The right to send from one business number, held by one dispatcher of the fleet at a time.

    `token` (the fencing token) grows with every new holder, never with a renewal: a write carrying a
    token that is no longer the number's current one comes from a holder that lost the lease, and is refused.
    """

    phone_number_id: PhoneNumberId
    holder: str
    token: int
    expires_at: datetime
    inherited: NumberPacing | None = None
    """The previous holder's pacing as it last saved it (at a renewal, or at its release)."""
    inherited_until: datetime | None = None
    """Set when the previous holder's lease ran out rather than being released: it may have sent after it last
    saved its pacing, up to this moment, so the new holder counts its whole throughput as spent then."""
