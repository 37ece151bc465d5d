"""Bearer API keys on every /v1 route, and the role each route needs, as Litestar guards."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from application.access import Action, require
from entrypoints.http.runtime import Runtime


def requires(action: Action) -> Guard:
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        runtime: Runtime = connection.app.state.runtime
        key = await runtime.authenticate(bearer_secret(connection))
        require(key, action)
        connection.scope["state"]["api_key"] = key

    return guard


def bearer_secret(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None
