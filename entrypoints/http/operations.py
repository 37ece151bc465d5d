"""What operators and the setup guide ask: alive, ready, metrics, and is Meta reachable with these settings."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, Router, get
from litestar.types import ASGIApp, ControllerRouterHandler, Message, Receive, Scope, Send

from application.operations import INBOX_BACKLOG_CAP
from entrypoints.http.auth import metrics_scraper
from entrypoints.http.options import allow_every_method
from entrypoints.http.problems import problem
from entrypoints.http.runtime import Runtime

PROMETHEUS_TEXT = "text/plain; version=0.0.4"


@get("/healthz", sync_to_thread=False, tags=["operations"])
def healthz() -> dict[str, str]:
    """The process answers; nothing else is checked, so a slow store never gets a live process restarted."""
    return {"status": "ok"}


@get("/readyz", tags=["operations"])
async def readyz(request: Request[Any, Any, Any]) -> Response[Any]:
    """Ready when the store answers a cheap query and the workers run; a load balancer sends traffic only then.

    Quarantined webhook POSTs are counted but do not make the server unready: the inbox goes on
    applying every other POST, and taking traffic away would stop Meta's deliveries too.
    """
    runtime: Runtime = request.app.state.runtime
    failure = await runtime.use_cases.probe_store()
    stopped = [task.get_name() for task in runtime.tasks if task.done()]
    reasons = [failure] if failure else []
    if stopped or not runtime.tasks:
        reasons.append(f"workers not running: {', '.join(stopped) or 'none started'}")
    if reasons:
        return problem(503, "Not ready", "; ".join(reasons))
    quarantined = await runtime.use_cases.list_quarantined(INBOX_BACKLOG_CAP)
    return Response({"status": "ready", "inbox_quarantined": len(quarantined)})


@get("/metrics", media_type=PROMETHEUS_TEXT, guards=[metrics_scraper], tags=["operations"])
async def metrics(request: Request[Any, Any, Any]) -> bytes:
    runtime: Runtime = request.app.state.runtime
    depths = await runtime.use_cases.measure_queues()
    return runtime.metrics.render(depths)


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
    return Router(path="/", route_handlers=list(handlers), middleware=[count_requests, allow_every_method])


operations_handlers = [healthz, readyz, metrics]
