"""A business's webhook endpoint for tests: passes Meta's GET handshake, records every POST raw,
answers with scripted statuses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, get, post

from entrypoints.simulator.server import serving

VERIFY_TOKEN = "receiver-verify-token"


@dataclass
class Received:
    body: bytes
    signature: str | None


@dataclass
class WebhookReceiver:
    url: str = ""
    refuse_handshakes: int = 0
    """How many handshakes to fail (403) before echoing the challenge."""
    answers: list[int] = field(default_factory=list)
    """Statuses for the next POSTs, then 200."""
    methods: list[str] = field(default_factory=list)
    """Every request's method, in arrival order."""
    handshakes: asyncio.Queue[dict[str, str]] = field(default_factory=asyncio.Queue)
    posts: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)

    async def next(self, timeout: float = 5.0) -> Received:
        return await asyncio.wait_for(self.posts.get(), timeout)

    async def next_handshake(self, timeout: float = 5.0) -> dict[str, str]:
        return await asyncio.wait_for(self.handshakes.get(), timeout)

    def verify(self, query: dict[str, str]) -> Response[str]:
        """What wahub's endpoint does: echo the challenge only for a subscribe with our token."""
        self.methods.append("GET")
        self.handshakes.put_nowait(query)
        expected = query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == VERIFY_TOKEN
        if self.refuse_handshakes > 0 or not expected:
            self.refuse_handshakes = max(0, self.refuse_handshakes - 1)
            return Response("", status_code=403)
        return Response(query.get("hub.challenge", ""))

    def receive(self, body: bytes, signature: str | None) -> Response[bytes]:
        self.methods.append("POST")
        self.posts.put_nowait(Received(body, signature))
        return Response(b"", status_code=self.answers.pop(0) if self.answers else 200)


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    @get("/webhook", media_type="text/plain")
    async def handshake(request: Request[Any, Any, Any]) -> Response[str]:
        return receiver.verify(dict(request.query_params))

    @post("/webhook", status_code=200)
    async def delivery(request: Request[Any, Any, Any]) -> Response[bytes]:
        return receiver.receive(await request.body(), request.headers.get("x-hub-signature-256"))

    async with serving(Litestar(route_handlers=[handshake, delivery], openapi_config=None)) as url:
        receiver.url = f"{url}/webhook"
        yield receiver
