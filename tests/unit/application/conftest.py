"""Every use case wired to the in-memory adapters, with a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from adapters.memory import MemoryStores
from adapters.memory.blobs import InMemoryBlobStore
from adapters.memory.clock import ManualClock
from adapters.memory.cloud_api import FakeCloudApi
from adapters.memory.live_events import InMemoryLiveEvents
from adapters.memory.work_queue import WakeUpQueue
from application.analytics import ReadAnalytics
from application.dispatch_outbound import DispatchOutbound
from application.ingest_webhook import IngestWebhook
from application.mark_as_read import MarkAsRead
from application.media import DownloadInboundMedia, ReadMedia, UploadMedia
from application.process_inbox_event import ProcessInboxEvent
from application.queries import ConversationHistory
from application.rate_limiter import RateLimiter
from application.send_message import SendMessage
from application.templates import CreateTemplate, DeleteTemplate, SyncTemplates
from domain.analytics import DEFAULT_PRICES
from domain.ids import WabaId
from domain.rate_limits import TIER_250, MessagingTier, PairRateLimit, ThroughputLimit
from domain.retry import RetryPolicy
from domain.webhook_signature import sign
from tests.unit.application.meta_webhooks import WABA_ID

APP_SECRET = b"test-app-secret"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Harness:
    def __init__(self, tier: MessagingTier = TIER_250) -> None:
        self.clock = ManualClock(START)
        self.stores = MemoryStores()
        self.cloud_api = FakeCloudApi()
        self.live_events = InMemoryLiveEvents()
        self.blobs = InMemoryBlobStore()
        self.work_queue = WakeUpQueue()
        s = self.stores
        self.send_message = SendMessage(
            messages=s.messages,
            conversations=s.conversations,
            customers=s.customers,
            templates=s.templates,
            outbox=s.outbox,
            idempotency_keys=s.idempotency_keys,
            live_events=self.live_events,
            clock=self.clock,
            tier=tier,
            work_queue=self.work_queue,
        )
        self.dispatch = DispatchOutbound(
            outbox=s.outbox,
            messages=s.messages,
            cloud_api=self.cloud_api,
            live_events=self.live_events,
            clock=self.clock,
            rate_limiter=RateLimiter(ThroughputLimit(per_second=80), PairRateLimit()),
            sending_leases=s.sending_leases,
            retry=RetryPolicy(max_attempts=3),
            jitter=lambda: 0.0,
            sleep=self.pass_time,
        )
        self.ingest_webhook = IngestWebhook(inbox=s.inbox, work_queue=self.work_queue, app_secret=APP_SECRET, clock=self.clock)
        self.process_inbox_event = ProcessInboxEvent(
            inbox=s.inbox,
            decoder=MetaWebhookDecoder(),
            writer=s.post_writer,
            messages=s.messages,
            customers=s.customers,
            live_events=self.live_events,
            clock=self.clock,
        )
        waba = WabaId(WABA_ID)
        self.create_template = CreateTemplate(
            templates=s.templates, cloud_api=self.cloud_api, waba_id=waba, live_events=self.live_events
        )
        self.delete_template = DeleteTemplate(templates=s.templates, cloud_api=self.cloud_api, waba_id=waba)
        self.sync_templates = SyncTemplates(templates=s.templates, cloud_api=self.cloud_api, waba_id=waba)
        self.upload_media = UploadMedia(cloud_api=self.cloud_api, media=s.media, blobs=self.blobs, clock=self.clock)
        self.download_inbound_media = DownloadInboundMedia(
            cloud_api=self.cloud_api, media=s.media, blobs=self.blobs, clock=self.clock, jitter=lambda: 0.0
        )
        self.read_media = ReadMedia(cloud_api=self.cloud_api, media=s.media, blobs=self.blobs)
        self.mark_as_read = MarkAsRead(conversations=s.conversations, customers=s.customers, cloud_api=self.cloud_api)
        self.conversation_history = ConversationHistory(messages=s.messages, customers=s.customers)
        self.analytics = ReadAnalytics(
            messages=s.messages, conversations=s.conversations, prices=DEFAULT_PRICES, clock=self.clock
        )

    async def pass_time(self, seconds: float) -> None:
        """The dispatcher's wait for a token: the manual clock moves on instead of the test waiting."""
        self.clock.advance(seconds)

    async def receive(self, body: bytes) -> None:
        """Meta POSTs a signed webhook; the inbox worker then applies everything pending."""
        await self.ingest_webhook(body, sign(APP_SECRET, body))
        await self.process_inbox_event.process_pending()


@pytest.fixture
def harness() -> Harness:
    return Harness()
