"""Records the use cases keep through the ports: queue entries, keys, media, live events, pages."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from domain.ids import MessageId, PhoneNumberId, WaId

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of a list; pass `next_cursor` back to get the following one (None: no more)."""

    items: list[T]
    next_cursor: str | None = None


class InboxEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A webhook POST exactly as received and verified, kept until it has been applied."""

    id: str
    untrusted_body: bytes
    received_at: datetime


class OutboxEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A queued message waiting for the dispatcher; `attempt` counts calls already made to Meta."""

    message_id: MessageId
    phone_number_id: PhoneNumberId
    wa_id: WaId
    due_at: datetime
    attempt: int = 0


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


class MediaRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Media known to wahub: uploaded by us, or received from a customer and fetched from Meta."""

    id: str
    kind: str
    mime_type: str
    size: int
    sha256: str
    created_at: datetime
    filename: str | None = None


class LiveEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A change dashboards and integrators follow live; `id` grows, so a client can resume after it."""

    id: int
    type: str
    data: dict[str, Any]


class CachedResult(msgspec.Struct, frozen=True, kw_only=True):
    """What an Idempotency-Key answered the first time."""

    message_id: MessageId
    expires_at: datetime
