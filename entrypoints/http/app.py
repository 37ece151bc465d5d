"""The Litestar app: webhook, /v1 API, health and OpenAPI, with the workers in its lifespan."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import fields
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi import OpenAPIConfig

from adapters.memory.work_queue import WakeUpQueue
from domain.meta_errors import CloudApiError
from entrypoints.container import Container, Role, resolved
from entrypoints.http.analytics import AnalyticsController
from entrypoints.http.contract import document_refusals
from entrypoints.http.conversations import ConversationsController
from entrypoints.http.events import EventsController
from entrypoints.http.me import me
from entrypoints.http.media import media_router
from entrypoints.http.messages import MessagesController
from entrypoints.http.metrics import Metrics
from entrypoints.http.operations import counted, operations_handlers
from entrypoints.http.paths import check_path_ids
from entrypoints.http.phone_numbers import phone_numbers
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.runtime import Background, Runtime, UseCases
from entrypoints.http.setup import setup_handlers
from entrypoints.http.templates import TemplatesController
from entrypoints.http.webhook import webhook_handlers
from entrypoints.journal import follow as follow_journal
from entrypoints.link import ApiLink, link_address
from entrypoints.logs import event
from entrypoints.workers import local_workers

Announce = Callable[[Runtime], None]
StartupFailed = Callable[[Exception], None]
log = logging.getLogger("wahub")


def create_app(
    container: Container,
    announce: Announce | None = None,
    role: Role = "all",
    startup_failed: StartupFailed | None = None,
) -> Litestar:
    """`announce` is told once the server is ready; `startup_failed` learns why it never was."""
    settings = container.settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            runtime = await _started(container, role)
        except Exception as error:
            if startup_failed is not None:
                startup_failed(error)
            raise
        try:
            app.state.runtime = runtime
            runtime.start_workers()
            journal = asyncio.create_task(follow_journal(runtime.live_events), name="journal")
            # Start-up objects live for the whole process: out of the collector's full passes, which
            # otherwise walk them all and stretch the webhook's p99 under load (docs/bench.md).
            gc.freeze()
            event(log, "server.start", "wahub started", role=role, **_facts(runtime))
            if announce is not None:
                announce(runtime)
            try:
                yield
            finally:
                journal.cancel()
                await asyncio.gather(journal, return_exceptions=True)
                await runtime.stop_workers()
                event(log, "server.stop", "wahub stopped")
        finally:
            await resolved(container.shutdown_resources)

    app = Litestar(
        route_handlers=[
            counted(
                *webhook_handlers(settings.max_webhook_bytes, settings.max_unverified_webhooks),
                MessagesController,
                ConversationsController,
                TemplatesController,
                media_router(settings.max_upload_bytes),
                AnalyticsController,
                EventsController,
                me,
                phone_numbers,
                *operations_handlers,
                *setup_handlers,
            )
        ],
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_request=check_path_ids,
        openapi_config=OpenAPIConfig(title="wahub", version="1", path="/schema"),
        logging_config=None,  # `wahub serve` configures logging (entrypoints.logs); the app leaves it alone
        request_max_body_size=settings.max_json_bytes,
    )
    # Litestar builds the document once and serves that dict: the refusals are written into it here.
    document_refusals(app.plugins.get(OpenAPIPlugin).provide_openapi_schema())
    return app


async def _started(container: Container, role: Role) -> Runtime:
    """Resources opened and the runtime built, or whatever was opened closed again."""
    await resolved(container.init_resources)
    try:
        return await build_runtime(container, role)
    except BaseException:
        await resolved(container.shutdown_resources)
        raise


async def build_runtime(container: Container, role: Role = "all") -> Runtime:
    """Role `all` runs the workers in this process; role `api` wakes worker processes over the link instead."""
    use_cases = UseCases(**{f.name: await resolved(getattr(container, f.name)) for f in fields(UseCases)})
    metrics = Metrics()
    simulator = await resolved(container.simulator)
    live_events = await resolved(container.live_events)
    background: Background
    if role == "api":
        simulator_url = simulator.url if simulator is not None else None
        background = ApiLink(
            link_address(container.settings().data_dir), live_events, metrics, simulator_url
        )
        await background.listen()
    else:
        background = await local_workers(container, metrics)
    work_queue = await resolved(container.work_queue)
    if isinstance(work_queue, WakeUpQueue):  # announcements wake this machine's workers: in this process, or over the link
        work_queue.on_publish = background.wake
    runtime = Runtime(
        settings=container.settings(),
        account=container.account(),
        use_cases=use_cases,
        clock=container.clock(),
        live_events=live_events,
        ingest_webhook=await resolved(container.ingest_webhook),
        authenticate=await resolved(container.authenticate),
        background=background,
        simulator=simulator,
        metrics=metrics,
    )
    ensure_admin_key = await resolved(container.ensure_admin_key)
    runtime.first_admin_secret = await ensure_admin_key(runtime.settings.bootstrap_admin_key)
    await _sync_templates(use_cases)
    return runtime


def _facts(runtime: Runtime) -> dict[str, Any]:
    """What an operator checks first in a start line; ids, never secrets."""
    settings = runtime.settings
    return {
        "store": settings.store,
        "data_dir": str(settings.data_dir),
        "sandbox": settings.sandbox,
        "phone_number_id": runtime.account.phone_number_id,
        "simulator": runtime.simulator.url if runtime.simulator is not None else None,
    }


async def _sync_templates(use_cases: UseCases) -> None:
    """Start with Meta's templates (the sandbox's approved hello_world among them); Meta down is no reason not to start."""
    try:
        await use_cases.sync_templates()
    except CloudApiError as error:
        event(log, "templates.not_synced", "templates not synced at start-up", level=logging.WARNING, error=str(error))
