"""What operators and the setup guide ask: alive, ready, metrics, and is Meta reachable with these settings."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, Router, get
from litestar.types import ASGIApp, ControllerRouterHandler, Message, Receive, Scope, Send

from application.access import Action
from application.operations import PhoneNumberReach
from domain.ids import PhoneNumberId
from entrypoints.http.auth import requires
from entrypoints.http.problems import problem
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import SetupChecksView

PROMETHEUS_TEXT = "text/plain; version=0.0.4"


@get("/healthz", sync_to_thread=False, tags=["operations"])
def healthz() -> dict[str, str]:
    """The process answers; nothing else is checked, so a slow store never gets a live process restarted."""
    return {"status": "ok"}


@get("/readyz", tags=["operations"])
async def readyz(request: Request[Any, Any, Any]) -> Response[Any]:
    """Ready when the store answers a cheap query and the workers run; a load balancer sends traffic only then."""
    runtime: Runtime = request.app.state.runtime
    failure = await runtime.use_cases.probe_store()
    stopped = [task.get_name() for task in runtime.tasks if task.done()]
    reasons = [failure] if failure else []
    if stopped or not runtime.tasks:
        reasons.append(f"workers not running: {', '.join(stopped) or 'none started'}")
    if reasons:
        return problem(503, "Not ready", "; ".join(reasons))
    return Response({"status": "ready"})


@get("/metrics", media_type=PROMETHEUS_TEXT, tags=["operations"])
async def metrics(request: Request[Any, Any, Any]) -> bytes:
    runtime: Runtime = request.app.state.runtime
    depths = await runtime.use_cases.measure_queues()
    return runtime.metrics.render(depths)


@get("/v1/setup/checks", guards=[requires(Action.READ_SETUP)], tags=["operations"])
async def setup_checks(request: Request[Any, Any, Any]) -> SetupChecksView:
    """What the setup guide shows, each check answered even when Meta refuses (its code and title then)."""
    runtime: Runtime = request.app.state.runtime
    reach = await runtime.use_cases.check_phone_number(PhoneNumberId(runtime.account.phone_number_id))
    return _setup_view(runtime, reach)


def _setup_view(runtime: Runtime, reach: PhoneNumberReach) -> SetupChecksView:
    settings = runtime.settings
    given = {
        "WAHUB_ACCESS_TOKEN": settings.access_token,
        "WAHUB_PHONE_NUMBER_ID": settings.phone_number_id,
        "WAHUB_WABA_ID": settings.waba_id,
        "WAHUB_APP_SECRET": settings.app_secret,
        "WAHUB_VERIFY_TOKEN": settings.verify_token,
    }
    return SetupChecksView(
        mode="sandbox" if settings.sandbox else "meta",
        store=settings.store,
        phone_number_id=runtime.account.phone_number_id,
        waba_id=runtime.account.waba_id,
        credentials={name: value is not None for name, value in given.items()},
        phone_number=reach,
        webhook_verified_at=runtime.health.verified_at,
        last_webhook_received_at=runtime.health.last_received_at,
    )


def count_requests(app: ASGIApp) -> ASGIApp:
    """Counts every answer by route template (not raw path, so ids do not explode the label set), and times it."""

    async def counted(scope: Scope, receive: Receive, send: Send) -> None:
        runtime: Runtime = scope["app"].state.runtime
        status = 500
        began = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            route = scope.get("path_template") or scope["path"]
            runtime.metrics.request_answered(route, str(scope.get("method", "")), status, time.perf_counter() - began)

    return counted


def counted(*handlers: ControllerRouterHandler) -> Router:
    """Every route under one router, so the counting middleware sees each of them."""
    return Router(path="/", route_handlers=list(handlers), middleware=[count_requests])


operations_handlers = [healthz, readyz, metrics, setup_checks]
