"""The ports: what the use cases need from the outside world, as typing.Protocols.

Adapters implement them without inheriting; mypy checks conformance where the composition root
wires them, and one contract suite per port runs against every adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from typing import Literal, Protocol

import msgspec

from application.post_changes import PostChanges, PostOutcome
from application.records import (
    ApiKey,
    CachedResult,
    ConversationMatch,
    Delivery,
    InboxEvent,
    InboxFailure,
    LiveEvent,
    MediaRecord,
    NumberPacing,
    OutboxEntry,
    Page,
    ParkedStatus,
    QuarantinedPost,
    SendingLease,
)
from domain.analytics import (
    AnalyticsQuery,
    DailyResponseTimes,
    DailyVolume,
    FailureCount,
    PricingCount,
    QuarterHourCount,
    TemplateStatusCount,
)
from domain.content import OutboundContent
from domain.conversations import Conversation
from domain.customers import Customer, Identification, Sighting
from domain.ids import Bsuid, CustomerId, MessageId, PhoneNumberId, WabaId, WaId, Wamid
from domain.messages import Message, ReplyContext
from domain.setup import TokenInfo
from domain.templates import MessageTemplate
from domain.webhook_events import WebhookEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class MessageAnalytics(Protocol):
    """Counts over a period, computed where the data lives (SQL, tallies kept at write time), never by loading
    every message; the metrics built from them are defined in domain.analytics."""

    @property
    def percentiles_exact(self) -> bool:
        """False when response-time percentiles come from a histogram (domain.analytics.HISTOGRAM_ERROR)."""
        ...

    async def daily_volumes(self, query: AnalyticsQuery) -> list[DailyVolume]:
        """Messages per UTC day and direction, sorted."""
        ...

    async def outbound_by_status(self, query: AnalyticsQuery) -> dict[str, int]:
        """Outbound messages by their current status (only statuses that occur)."""
        ...

    async def failures(self, query: AnalyticsQuery) -> list[FailureCount]: ...

    async def pricing(self, query: AnalyticsQuery) -> list[PricingCount]:
        """Priced messages by category and pricing type (an old pricing object without a type counts as '')."""
        ...

    async def response_times(self, query: AnalyticsQuery) -> list[DailyResponseTimes]:
        """First responses (outbound messages with response_seconds) per UTC day, sorted by day."""
        ...

    async def inbound_by_quarter_hour(self, query: AnalyticsQuery) -> list[QuarterHourCount]:
        """Customer messages per UTC quarter hour that has any, sorted."""
        ...

    async def template_statuses(self, query: AnalyticsQuery) -> list[TemplateStatusCount]:
        """Template sends by template, language and current status."""
        ...


class MessageStore(Protocol):
    @property
    def analytics(self) -> MessageAnalytics: ...

    async def add(self, message: Message) -> bool:
        """Store a new message; False (and no change) when its id or wamid is already stored."""
        ...

    async def get(self, message_id: MessageId) -> Message | None: ...

    async def find_by_wamid(self, wamid: Wamid) -> Message | None: ...

    async def update(self, message_id: MessageId, change: Callable[[Message], Message]) -> Message | None:
        """Apply `change` atomically to the stored message (None when unknown); concurrent updates never interleave."""
        ...

    async def history(
        self, phone_number_id: PhoneNumberId, customer_id: CustomerId, *, cursor: str | None, limit: int
    ) -> Page[Message]:
        """One conversation's messages, newest first."""
        ...

    async def park_status(self, wamid: Wamid, parked: ParkedStatus) -> None:
        """Keep a status whose message is not known yet (its send is still being recorded)."""
        ...

    async def take_parked_statuses(self, wamid: Wamid) -> list[ParkedStatus]:
        """Remove and return the statuses parked for this wamid."""
        ...

    async def prune_parked_statuses(self, reported_before: datetime, limit: int) -> int:
        """Delete the statuses parked for up to `limit` wamids whose first parked status Meta reported before
        `reported_before`: their send was never recorded here (another system's, or lost), so nothing will take
        them. Returns how many wamids went."""
        ...

    async def business_initiated_recipients(self, since: datetime) -> dict[CustomerId, datetime]:
        """Each customer reached by a business-initiated message since `since`, with the latest such time."""
        ...


class ConversationStore(Protocol):
    async def get(self, phone_number_id: PhoneNumberId, customer_id: CustomerId) -> Conversation | None: ...

    async def update(
        self,
        phone_number_id: PhoneNumberId,
        customer_id: CustomerId,
        change: Callable[[Conversation | None], Conversation],
    ) -> Conversation:
        """Create or change one conversation atomically."""
        ...

    async def list(
        self, *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[Conversation]:
        """Conversations by last activity, most recent first."""
        ...

    async def closing_unanswered(
        self, *, phone_number_id: PhoneNumberId | None, now: datetime
    ) -> Sequence[Conversation]:
        """Conversations for which Conversation.is_closing_unanswered(now) holds, soonest to close first."""
        ...


class CustomerDirectory(Protocol):
    """Every customer by every phone number and BSUID they were seen by (the rules: domain.customers)."""

    async def identify(self, sighting: Sighting) -> Identification | None:
        """The customer `sighting` names, created when new and kept with what it adds, with the ids of
        customers it showed to be the same person and merged in; None when it names nobody.

        When it shows customers known apart to be one person, their conversations (joined with
        `merge_conversations`) and messages move to the survivor's id before the directory records
        the merge, so a crash in between is repaired by applying the same webhook again.
        """
        ...

    async def find(self, handle: str) -> Customer | None:
        """The customer ever seen by this phone number or BSUID (or named by this customer id)."""
        ...


class ConversationSearch(Protocol):
    async def search(
        self, terms: tuple[str, ...], *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[ConversationMatch]:
        """Conversations whose customer or any message matches every term (domain.search), by last activity,
        most recent first, paged like `ConversationStore.list`; the snippet is of the last matching message stored."""
        ...


class TemplateStore(Protocol):
    async def save(self, template: MessageTemplate) -> None:
        """Insert or replace the template with this (name, language)."""
        ...

    async def get(self, name: str, language: str) -> MessageTemplate | None: ...

    async def find_by_id(self, template_id: str) -> MessageTemplate | None: ...

    async def list(self) -> list[MessageTemplate]: ...

    async def delete(self, name: str, language: str | None) -> int:
        """Delete one language of a template, or every language when None; returns how many went."""
        ...


class MediaStore(Protocol):
    async def save(self, record: MediaRecord) -> None: ...

    async def get(self, media_id: str) -> MediaRecord | None: ...

    async def due_downloads(self, now: datetime, limit: int) -> list[MediaRecord]:
        """Records whose pending download is due (`download.due_at <= now`), earliest first."""
        ...


class BlobStore(Protocol):
    """Media bytes by content: the same bytes stored twice are one blob, and a blob never changes."""

    async def put(self, data: bytes) -> str:
        """Store durably and return the SHA-256 (hex) that names the bytes."""
        ...

    async def get(self, sha256: str) -> bytes | None: ...


class Inbox(Protocol):
    """Raw webhook POSTs, stored before Meta gets its 200, applied later by the inbox worker."""

    async def append(self, untrusted_body: bytes, received_at: datetime) -> str: ...

    async def unprocessed(self, limit: int, due_by: datetime | None = None) -> list[InboxEvent]:
        """Oldest first, quarantined POSTs left out; with `due_by`, so are those waiting to be retried after it."""
        ...

    async def get(self, event_id: str) -> InboxEvent | None:
        """Any stored POST, processed or not (None for an id this inbox never gave)."""
        ...

    async def mark_processed(self, event_id: str, at: datetime) -> None:
        """Ends a quarantine too: a replayed POST that applies is done."""
        ...

    async def failed(self, event_id: str, failure: InboxFailure) -> None:
        """Record a failed application: the POST waits until `failure.retry_at`, or is quarantined when None."""
        ...

    async def quarantined(self, limit: int) -> list[QuarantinedPost]:
        """Quarantined POSTs not applied since, oldest first."""
        ...

    async def prune_processed(self, processed_before: datetime, limit: int) -> int:
        """Delete up to `limit` POSTs applied before `processed_before`, oldest first; a POST not applied yet
        (or quarantined) is never touched. Returns how many went."""
        ...


class PostWriter(Protocol):
    """Writes the changes of one stored webhook POST, and its processed mark, as one unit of work."""

    async def write(self, post: PostChanges) -> PostOutcome:
        """All of it or none of it: one transaction, each change applied to the records as found inside it."""
        ...


class Outbox(Protocol):
    async def enqueue(self, entry: OutboxEntry) -> None: ...

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        """Take up to `limit` due entries, earliest first; claimed entries stay invisible until the lease ends."""
        ...

    async def calling(self, message_id: MessageId, at: datetime, lease: SendingLease) -> bool:
        """Record, before it begins, that a call to Meta for this entry is under way (`called_at`).

        Refused (False, nothing written) when `lease` is no longer the number's current sending lease, where
        leases are shared by several processes: a dispatcher that lost its number must not send from it.
        """
        ...

    async def reschedule(self, message_id: MessageId, due_at: datetime, attempt: int) -> None:
        """Ends the lease and clears `called_at`: the call's outcome is known by then."""
        ...

    async def complete(self, message_id: MessageId) -> None: ...

    async def depth(self) -> int: ...


class SendingLeases(Protocol):
    """Who paces each business number: one dispatcher at a time, so Meta's per-number limits hold for the fleet."""

    async def acquire(
        self, phone_number_id: PhoneNumberId, holder: str, now: datetime, ttl: timedelta, pacing: NumberPacing | None
    ) -> SendingLease | None:
        """Renew `holder`'s lease (saving its `pacing`), or take the number's lease when it is free or ran out
        (with a new token and the previous holder's pacing); None while another holder's lease runs."""
        ...

    async def release(self, lease: SendingLease, now: datetime, pacing: NumberPacing) -> None:
        """End the lease now, leaving `pacing` to the next holder, who then need not wait for anything unknown."""
        ...


WorkKind = Literal["inbox", "outbox"]
"""What a work id names: a stored webhook POST (its inbox id), or a queued message (its message id)."""


class WorkQueue(Protocol):
    """Announces work the store already holds to whichever worker takes it; the queue carries ids, never the work.

    In one process (or an API process and its workers on one SQLite file) an announcement is a wake-up; on a
    fleet it is a Pub/Sub message any worker may receive (docs/scaling.md, "Queue").
    """

    async def publish(self, kind: WorkKind, work_id: str) -> None:
        """Returns once the announcement is durable (raises when it is not: the caller has not succeeded)."""
        ...


class WorkSubscription(Protocol):
    """A worker's side of a shared work queue: deliveries at least once, settled after the store holds the result.

    A delivery neither acknowledged nor retried within the queue's deadline (its worker died) comes again.
    After a fixed number of deliveries the queue gives the work up to its dead letters.
    """

    async def receive(self, kind: WorkKind, limit: int) -> list[Delivery]:
        """Up to `limit` deliveries; waits a while for the first one, then returns (possibly none)."""
        ...

    async def settle(self, kind: WorkKind, done: Sequence[Delivery], again: Sequence[Delivery]) -> None:
        """Acknowledge `done` (never delivered again) and hand `again` back for a later delivery."""
        ...

    async def dead_letters(self, kind: WorkKind, limit: int) -> list[Delivery]:
        """Work given up after too many deliveries; `attempt` is how many it had. Waits a while, like `receive`."""
        ...

    async def bury(self, kind: WorkKind, dead: Sequence[Delivery]) -> None:
        """Acknowledge dead letters once the store has recorded them."""
        ...


class IdempotencyKeys(Protocol):
    async def claim(self, key: str, message_id: MessageId, expires_at: datetime, now: datetime) -> CachedResult:
        """Bind `key` to `message_id` unless it is bound and unexpired; returns the binding in force."""
        ...

    async def prune_expired(self, now: datetime, limit: int) -> int:
        """Delete up to `limit` bindings expired at `now`. Returns how many went."""
        ...


class ApiKeyStore(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def find_by_hash(self, secret_hash: str) -> ApiKey | None: ...

    async def list(self) -> list[ApiKey]: ...

    async def revoke(self, key_id: str, at: datetime) -> bool: ...


class Stores(Protocol):
    """Every store port, served by one backend (one SQLite file, one Firestore database, memory): the bundle
    the composition root opens once and hands out port by port."""

    @property
    def messages(self) -> MessageStore: ...
    @property
    def conversations(self) -> ConversationStore: ...
    @property
    def templates(self) -> TemplateStore: ...
    @property
    def media(self) -> MediaStore: ...
    @property
    def inbox(self) -> Inbox: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def idempotency_keys(self) -> IdempotencyKeys: ...
    @property
    def api_keys(self) -> ApiKeyStore: ...
    @property
    def search(self) -> ConversationSearch: ...
    @property
    def customers(self) -> CustomerDirectory: ...
    @property
    def post_writer(self) -> PostWriter: ...
    @property
    def sending_leases(self) -> SendingLeases: ...


class LiveEvents(Protocol):
    async def publish(self, type: str, data: dict[str, object]) -> LiveEvent: ...

    def subscribe(self, after: int | None) -> AsyncIterator[LiveEvent]:
        """Events after `after` (all retained ones when None), then new ones as they are published."""
        ...


class WebhookDecoder(Protocol):
    def decode(self, untrusted_body: bytes) -> list[WebhookEvent]:
        """Every event of one POST; raises MalformedWebhook when the body is not Meta's envelope."""
        ...


class SendRequest(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: PhoneNumberId
    content: OutboundContent
    to: WaId | None = None
    recipient: Bsuid | None = None
    """A BSUID, for a customer whose phone number is not known (Meta's `recipient`); `to` wins when both are set."""
    context: ReplyContext | None = None
    callback_data: str | None = None


class MediaUrl(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    mime_type: str
    sha256: str
    file_size: int


class PhoneNumberInfo(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: PhoneNumberId
    display_phone_number: str
    verified_name: str
    quality_rating: str = "UNKNOWN"
    code_verification_status: str | None = None
    name_status: str | None = None
    throughput_level: str | None = None


class CloudApi(Protocol):
    """Meta's Graph API for WhatsApp; every failure is raised as domain.meta_errors.CloudApiError."""

    async def send(self, request: SendRequest) -> Wamid: ...

    async def mark_read(self, phone_number_id: PhoneNumberId, wamid: Wamid, *, typing: bool) -> None: ...

    async def upload_media(
        self, phone_number_id: PhoneNumberId, data: bytes, mime_type: str, filename: str
    ) -> str: ...

    async def media_url(self, media_id: str) -> MediaUrl: ...

    async def download_media(self, url: str) -> bytes: ...

    async def delete_media(self, media_id: str) -> None: ...

    async def create_template(self, waba_id: WabaId, template: MessageTemplate) -> MessageTemplate:
        """Register the template; returns it with Meta's id and initial status."""
        ...

    async def list_templates(self, waba_id: WabaId) -> list[MessageTemplate]:
        """Every template of the WABA, all pages."""
        ...

    async def delete_template(self, waba_id: WabaId, name: str, template_id: str | None) -> None: ...

    async def phone_number_info(self, phone_number_id: PhoneNumberId) -> PhoneNumberInfo: ...

    async def token_info(self) -> TokenInfo:
        """What Meta says of the access token in use: valid, its app, permissions and expiry (debug_token)."""
        ...

    async def subscribed_apps(self, waba_id: WabaId) -> list[str]:
        """Ids of the apps subscribed to the WABA's webhooks."""
        ...

    async def phone_numbers(self, waba_id: WabaId) -> list[PhoneNumberInfo]:
        """Every phone number of the WABA, all pages."""
        ...


class WebhookHandshake(Protocol):
    async def failure(self, url: str, verify_token: str) -> str | None:
        """Play Meta's verification GET against `url`; None when it echoed the challenge, else what went wrong."""
        ...
