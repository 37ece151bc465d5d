"""Bearer API keys on every /v1 route, and the role each route needs, as Litestar guards."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from application.access import Action, Unauthenticated, require
from application.records import ApiKey
from entrypoints.http.runtime import Runtime


def requires(action: Action) -> Guard:
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        await authenticated(connection, handler)
        require(api_key(connection), action)

    return guard


async def authenticated(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any valid key, whatever its role; the key is kept in the request's state for the handler."""
    runtime: Runtime = connection.app.state.runtime
    connection.scope["state"]["api_key"] = await runtime.authenticate(bearer_secret(connection))


def api_key(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiKey:
    """The key a guard authenticated for this request."""
    key: ApiKey = connection.scope["state"]["api_key"]
    return key


def bearer_secret(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


async def metrics_scraper(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """With WAHUB_METRICS_KEY set, /metrics is for whoever holds that key (a Prometheus `bearer_token`)."""
    runtime: Runtime = connection.app.state.runtime
    expected = runtime.settings.metrics_key
    if expected is not None and not hmac.compare_digest((bearer_secret(connection) or "").encode(), expected.encode()):
        raise Unauthenticated("/metrics needs the metrics key (WAHUB_METRICS_KEY) as 'Authorization: Bearer <key>'")
