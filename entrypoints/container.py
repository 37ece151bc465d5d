"""The composition root: the one place that knows which adapter serves which port.

Tests build the same container and override providers (stores, cloud_api, clock) with fakes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal, TypeVar

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from adapters.memory.live_events import InMemoryLiveEvents
from application.access import Authenticate, CreateApiKey, EnsureAdminKey
from application.analytics import ReadAnalytics
from application.delivered_posts import ApplyDeliveredPosts
from application.dispatch_outbound import DispatchOutbound
from application.ingest_webhook import IngestWebhook
from application.mark_as_read import MarkAsRead
from application.media import DownloadInboundMedia, ReadMedia, UploadMedia
from application.operations import MeasureQueues, ProbeStore
from application.phone_numbers import ListPhoneNumbers
from application.process_inbox_event import ProcessInboxEvent
from application.quarantine import ListQuarantined, ReplayQuarantined
from application.queries import (
    ConversationHistory,
    GetMessage,
    ListConversations,
    ListTemplates,
    SearchConversations,
)
from application.rate_limiter import RateLimiter
from application.retention import PruneRetained
from application.retry_message import RetryMessage
from application.send_message import SendMessage
from application.setup_checks import RunSetupChecks, SendTestMessage
from application.templates import CreateTemplate, DeleteTemplate, SyncTemplates
from domain.analytics import DEFAULT_PRICES
from domain.rate_limits import MessagingTier, PairRateLimit, ThroughputLimit
from entrypoints.resources import (
    open_blobs,
    open_cloud_api,
    open_simulator,
    open_stores,
    open_webhook_handshake,
    open_work_queue,
)
from entrypoints.sandbox import BusinessAccount
from entrypoints.settings import Settings

T = TypeVar("T")

Role = Literal["api", "worker", "all"]
"""What a `wahub serve` process runs: the HTTP API, the workers, or both (docs/architecture.md)."""


class Container(containers.DeclarativeContainer):
    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)
    account: providers.Dependency[BusinessAccount] = providers.Dependency(instance_of=BusinessAccount)
    webhook_url = providers.Dependency(instance_of=str)

    clock = providers.Singleton(SystemClock)
    live_events = providers.Singleton(InMemoryLiveEvents)
    decoder = providers.Singleton(MetaWebhookDecoder)
    stores = providers.Resource(open_stores, settings=settings)
    work_queue = providers.Resource(open_work_queue, settings=settings)
    blobs = providers.Singleton(open_blobs, settings=settings)
    simulator = providers.Resource(open_simulator, settings=settings, account=account, webhook_url=webhook_url)
    cloud_api = providers.Resource(open_cloud_api, settings=settings, account=account, simulator=simulator)
    webhook_handshake = providers.Resource(open_webhook_handshake)

    throughput = providers.Singleton(ThroughputLimit, per_second=settings.provided.throughput_per_second)
    tier = providers.Singleton(MessagingTier, limit=settings.provided.messaging_tier)
    rate_limiter = providers.Singleton(RateLimiter, throughput=throughput, pair=providers.Object(PairRateLimit()))
    waba_id = account.provided.waba_id
    app_secret = providers.Callable(str.encode, account.provided.app_secret)

    send_message = providers.Singleton(
        SendMessage,
        messages=stores.provided.messages,
        conversations=stores.provided.conversations,
        customers=stores.provided.customers,
        templates=stores.provided.templates,
        outbox=stores.provided.outbox,
        idempotency_keys=stores.provided.idempotency_keys,
        live_events=live_events,
        clock=clock,
        tier=tier,
        work_queue=work_queue,
    )
    retry_message = providers.Singleton(
        RetryMessage, messages=stores.provided.messages, send_message=send_message, clock=clock
    )
    dispatch_outbound = providers.Singleton(
        DispatchOutbound,
        outbox=stores.provided.outbox,
        messages=stores.provided.messages,
        cloud_api=cloud_api,
        live_events=live_events,
        clock=clock,
        rate_limiter=rate_limiter,
        sending_leases=stores.provided.sending_leases,
        lease=providers.Callable(timedelta, seconds=settings.provided.dispatch_lease_seconds),
        unknown_wait=providers.Callable(timedelta, seconds=settings.provided.unknown_send_wait_seconds),
    )
    ingest_webhook = providers.Singleton(
        IngestWebhook, inbox=stores.provided.inbox, work_queue=work_queue, app_secret=app_secret, clock=clock
    )
    process_inbox_event = providers.Singleton(
        ProcessInboxEvent,
        inbox=stores.provided.inbox,
        decoder=decoder,
        writer=stores.provided.post_writer,
        messages=stores.provided.messages,
        customers=stores.provided.customers,
        live_events=live_events,
        clock=clock,
    )
    create_template = providers.Singleton(
        CreateTemplate, templates=stores.provided.templates, cloud_api=cloud_api, waba_id=waba_id, live_events=live_events
    )
    delete_template = providers.Singleton(
        DeleteTemplate, templates=stores.provided.templates, cloud_api=cloud_api, waba_id=waba_id
    )
    sync_templates = providers.Singleton(SyncTemplates, templates=stores.provided.templates, cloud_api=cloud_api, waba_id=waba_id)
    list_templates = providers.Singleton(ListTemplates, templates=stores.provided.templates)
    upload_media = providers.Singleton(
        UploadMedia, cloud_api=cloud_api, media=stores.provided.media, blobs=blobs, clock=clock
    )
    prune_retained = providers.Singleton(
        PruneRetained,
        inbox=stores.provided.inbox,
        idempotency_keys=stores.provided.idempotency_keys,
        messages=stores.provided.messages,
        clock=clock,
        keep=providers.Callable(timedelta, days=settings.provided.retention_days),
    )
    download_inbound_media = providers.Singleton(
        DownloadInboundMedia, cloud_api=cloud_api, media=stores.provided.media, blobs=blobs, clock=clock
    )
    read_media = providers.Singleton(ReadMedia, cloud_api=cloud_api, media=stores.provided.media, blobs=blobs)
    mark_as_read = providers.Singleton(
        MarkAsRead,
        conversations=stores.provided.conversations,
        customers=stores.provided.customers,
        cloud_api=cloud_api,
    )
    run_setup_checks = providers.Singleton(
        RunSetupChecks, cloud_api=cloud_api, handshake=webhook_handshake, clock=clock
    )
    send_test_message = providers.Singleton(
        SendTestMessage, send_message=send_message, messages=stores.provided.messages, clock=clock
    )
    read_analytics = providers.Singleton(
        ReadAnalytics, messages=stores.provided.messages, conversations=stores.provided.conversations,
        prices=providers.Object(DEFAULT_PRICES), clock=clock,
    )
    get_message = providers.Singleton(GetMessage, messages=stores.provided.messages)
    list_conversations = providers.Singleton(ListConversations, conversations=stores.provided.conversations)
    conversation_history = providers.Singleton(
        ConversationHistory, messages=stores.provided.messages, customers=stores.provided.customers
    )
    search_conversations = providers.Singleton(SearchConversations, search=stores.provided.search)
    create_api_key = providers.Singleton(CreateApiKey, api_keys=stores.provided.api_keys, clock=clock)
    authenticate = providers.Singleton(Authenticate, api_keys=stores.provided.api_keys)
    ensure_admin_key = providers.Singleton(EnsureAdminKey, api_keys=stores.provided.api_keys, create=create_api_key)
    list_phone_numbers = providers.Singleton(ListPhoneNumbers, cloud_api=cloud_api, waba_id=waba_id, clock=clock)
    probe_store = providers.Singleton(ProbeStore, outbox=stores.provided.outbox)
    measure_queues = providers.Singleton(MeasureQueues, outbox=stores.provided.outbox, inbox=stores.provided.inbox)
    list_quarantined = providers.Singleton(ListQuarantined, inbox=stores.provided.inbox)
    replay_quarantined = providers.Singleton(ReplayQuarantined, inbox=stores.provided.inbox, process=process_inbox_event)
    apply_delivered_posts = providers.Singleton(
        ApplyDeliveredPosts,
        subscription=work_queue,
        inbox=stores.provided.inbox,
        process=process_inbox_event,
        live_events=live_events,
        clock=clock,
    )


async def used(container: Container, use: Callable[[Container], Awaitable[T]]) -> T:
    """Run a command's work on the container; whatever resources it opened (stores, Graph client) are
    closed before we return."""
    try:
        return await use(container)
    finally:
        shutdown = container.shutdown_resources()
        if shutdown is not None:
            await shutdown


async def resolved(provider: Any) -> Any:
    """Providers that depend on an async resource hand out futures; every other one, the object.

    Likewise resource start-up and shut-down are awaitable only when some resource is async.
    """
    value = provider()
    return await value if hasattr(value, "__await__") else value

