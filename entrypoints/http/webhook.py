"""The webhook Meta calls: the verification handshake, and signed event POSTs stored before the 200.

https://developers.facebook.com/docs/graph-api/webhooks/getting-started
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter
from litestar.response import Response
from litestar.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.problems import problem
from entrypoints.http.runtime import Runtime

_SIGNATURE = b"x-hub-signature-256"
_OK_HEADERS = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"2")]


@get("/webhook", media_type="text/plain", sync_to_thread=False)
def verify_webhook(
    request: Request[Any, Any, Any],
    mode: Annotated[str, QueryParameter(name="hub.mode")] = "",
    verify_token: Annotated[str, QueryParameter(name="hub.verify_token")] = "",
    challenge: Annotated[str, QueryParameter(name="hub.challenge")] = "",
) -> Response[Any]:
    """Meta proves it knows our verify token; we answer its challenge, verbatim, only then."""
    runtime: Runtime = request.app.state.runtime
    expected = runtime.account.verify_token.encode()
    if mode != "subscribe" or not hmac.compare_digest(verify_token.encode(), expected):
        return problem(403, "Forbidden", "hub.mode must be 'subscribe' and hub.verify_token must match the verify token")
    runtime.health.webhook_verified()
    return Response(challenge, media_type="text/plain")


def webhook_receiver(max_unverified: int) -> Callable[[Request[Any, Any, Any]], Awaitable[ASGIApp]]:
    """The POST handler, reading at most `max_unverified` bodies at once before their signature is checked.

    Anyone can POST here, so the bodies held before the HMAC says they come from Meta are what
    unsigned traffic can make us keep: `max_unverified` times the body limit. Connections waiting
    for their turn hold only the ASGI server's small read buffer (it stops reading until we ask).
    """
    reading = asyncio.Semaphore(max_unverified)

    async def receive_webhook(request: Request[Any, Any, Any]) -> ASGIApp:
        """Verify, store durably, then answer: the 200 means the event can no longer be lost.

        The hot path of the whole service (Meta posts every message and status here), so it reads
        the one header it needs straight from the ASGI scope and answers with a fixed ASGI response
        rather than a Response object Litestar would have to convert on every POST. The signature is
        checked before the first await after the body is read, so no other task runs in between.
        """
        runtime: Runtime = request.app.state.runtime
        async with reading:
            body = await request.body()
        await runtime.ingest_webhook(body, _signature(request.scope))
        runtime.inbox_arrived()
        return _ok

    return receive_webhook


def _signature(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == _SIGNATURE:
            return value.decode("latin-1")
    return None


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    """200 `OK` as text/plain, what `Response("OK", media_type="text/plain")` sent."""
    await send({"type": "http.response.start", "status": 200, "headers": _OK_HEADERS})
    await send({"type": "http.response.body", "body": b"OK", "more_body": False})


def webhook_handlers(max_body_bytes: int, max_unverified: int) -> list[HTTPRouteHandler]:
    """Bodies over the limit are refused with 413 while streaming, before they fill memory."""
    receive = post("/webhook", status_code=200, media_type="text/plain", request_max_body_size=max_body_bytes)
    return [verify_webhook, receive(webhook_receiver(max_unverified))]
