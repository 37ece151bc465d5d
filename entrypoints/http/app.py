"""The Litestar app: webhook, /v1 API, health and OpenAPI, with the workers in its lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import fields
from typing import Any

from litestar import Litestar
from litestar.openapi import OpenAPIConfig

from domain.meta_errors import CloudApiError
from entrypoints.container import Container
from entrypoints.http.analytics import AnalyticsController
from entrypoints.http.conversations import ConversationsController
from entrypoints.http.events import EventsController
from entrypoints.http.me import me
from entrypoints.http.media import media_router
from entrypoints.http.messages import MessagesController
from entrypoints.http.metrics import Metrics
from entrypoints.http.operations import counted, operations_handlers
from entrypoints.http.phone_numbers import phone_numbers
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.runtime import Runtime, UseCases
from entrypoints.http.templates import TemplatesController
from entrypoints.http.webhook import webhook_handlers
from entrypoints.workers import dispatcher, inbox_worker, media_downloader

Announce = Callable[[Runtime], None]
log = logging.getLogger("wahub")


def create_app(container: Container, announce: Announce | None = None) -> Litestar:
    settings = container.settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await _resolved(container.init_resources)
        try:
            runtime = await build_runtime(container)
            app.state.runtime = runtime
            runtime.start_workers()
            # Start-up objects live for the whole process: out of the collector's full passes, which
            # otherwise walk them all and stretch the webhook's p99 under load (docs/bench.md).
            gc.freeze()
            if announce is not None:
                announce(runtime)
            try:
                yield
            finally:
                await runtime.stop_workers()
        finally:
            await _resolved(container.shutdown_resources)

    return Litestar(
        route_handlers=[
            counted(
                *webhook_handlers(settings.max_webhook_bytes),
                MessagesController,
                ConversationsController,
                TemplatesController,
                media_router(settings.max_upload_bytes),
                AnalyticsController,
                EventsController,
                me,
                phone_numbers,
                *operations_handlers,
            )
        ],
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(title="wahub", version="1", path="/schema"),
        request_max_body_size=settings.max_upload_bytes,
    )


async def build_runtime(container: Container) -> Runtime:
    use_cases = UseCases(**{f.name: await _resolved(getattr(container, f.name)) for f in fields(UseCases)})
    metrics = Metrics()
    runtime = Runtime(
        settings=container.settings(),
        account=container.account(),
        use_cases=use_cases,
        clock=container.clock(),
        live_events=container.live_events(),
        ingest_webhook=await _resolved(container.ingest_webhook),
        authenticate=await _resolved(container.authenticate),
        inbox=inbox_worker(await _resolved(container.process_inbox_event), metrics.applied),
        dispatcher=dispatcher(await _resolved(container.dispatch_outbound), metrics.dispatched),
        media=media_downloader(await _resolved(container.download_inbound_media)),
        simulator=await _resolved(container.simulator),
        metrics=metrics,
    )
    ensure_admin_key = await _resolved(container.ensure_admin_key)
    runtime.first_admin_secret = await ensure_admin_key(runtime.settings.bootstrap_admin_key)
    await _sync_templates(use_cases)
    return runtime


async def _sync_templates(use_cases: UseCases) -> None:
    """Start with Meta's templates (the sandbox's approved hello_world among them); Meta down is no reason not to start."""
    try:
        await use_cases.sync_templates()
    except CloudApiError as error:
        log.warning("templates not synced at start-up: %s", error)


async def _resolved(provider: Any) -> Any:
    """Providers that depend on an async resource hand out futures; every other one, the object.

    Likewise resource start-up and shut-down are awaitable only when some resource is async.
    """
    value = provider()
    return await value if hasattr(value, "__await__") else value

