"""What a running server holds: its settings, the resolved use cases and the background workers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from application.access import Authenticate, CreateApiKey
from application.analytics import ReadAnalytics
from application.ingest_webhook import IngestWebhook
from application.mark_as_read import MarkAsRead
from application.media import ReadMedia, UploadMedia
from application.operations import MeasureQueues, ProbeStore
from application.phone_numbers import ListPhoneNumbers
from application.ports import Clock, LiveEvents
from application.quarantine import ListQuarantined
from application.queries import (
    ConversationHistory,
    GetMessage,
    ListConversations,
    ListTemplates,
    SearchConversations,
)
from application.retry_message import RetryMessage
from application.send_message import SendMessage
from application.setup_checks import RunSetupChecks, SendTestMessage
from application.templates import CreateTemplate, DeleteTemplate, SyncTemplates
from domain.setup import SetupCheck
from entrypoints.http.metrics import Metrics
from entrypoints.sandbox import BusinessAccount
from entrypoints.settings import Settings
from entrypoints.simulator.server import RunningSimulator


@dataclass
class WebhookHealth:
    """What the setup guide shows about Meta reaching us."""

    verified_at: datetime | None = None
    last_received_at: datetime | None = None
    test_message: SetupCheck | None = None
    """The verdict of the last POST /v1/setup/test-message."""

    def webhook_verified(self) -> None:
        self.verified_at = datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class UseCases:
    """Everything the HTTP API calls, resolved once at start-up from the container."""

    send_message: SendMessage
    retry_message: RetryMessage
    get_message: GetMessage
    list_conversations: ListConversations
    search_conversations: SearchConversations
    conversation_history: ConversationHistory
    mark_as_read: MarkAsRead
    list_templates: ListTemplates
    create_template: CreateTemplate
    delete_template: DeleteTemplate
    sync_templates: SyncTemplates
    upload_media: UploadMedia
    read_media: ReadMedia
    read_analytics: ReadAnalytics
    run_setup_checks: RunSetupChecks
    send_test_message: SendTestMessage
    create_api_key: CreateApiKey
    list_phone_numbers: ListPhoneNumbers
    probe_store: ProbeStore
    measure_queues: MeasureQueues
    list_quarantined: ListQuarantined


class Background(Protocol):
    """What runs beside the HTTP API: the workers themselves (role all), or the line to worker processes (role api)."""

    def wake(self, queue: Literal["inbox", "outbox"]) -> None: ...

    def start(self) -> list[asyncio.Task[None]]: ...


@dataclass(kw_only=True)
class Runtime:
    settings: Settings
    account: BusinessAccount
    use_cases: UseCases
    clock: Clock
    """The container's clock, so a test that freezes time sees windows close when it says."""
    live_events: LiveEvents
    """What the event stream follows: every use case publishes here."""
    ingest_webhook: IngestWebhook
    authenticate: Authenticate
    background: Background
    simulator: RunningSimulator | None
    metrics: Metrics
    first_admin_secret: str | None = None
    health: WebhookHealth = field(default_factory=WebhookHealth)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def inbox_arrived(self) -> None:
        self.health.last_received_at = datetime.now(UTC)

    def start_workers(self) -> None:
        self.tasks = self.background.start()

    async def stop_workers(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
