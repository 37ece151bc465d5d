"""A business's webhook endpoint for tests: records every POST raw, answers with scripted statuses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, post

from entrypoints.simulator.server import serving


@dataclass
class Received:
    body: bytes
    signature: str | None


@dataclass
class WebhookReceiver:
    url: str = ""
    answers: list[int] = field(default_factory=list)
    """Statuses for the next POSTs, then 200."""
    posts: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)

    async def next(self, timeout: float = 5.0) -> Received:
        return await asyncio.wait_for(self.posts.get(), timeout)


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    @post("/webhook", status_code=200)
    async def receive(request: Request[Any, Any, Any]) -> Response[bytes]:
        receiver.posts.put_nowait(Received(await request.body(), request.headers.get("x-hub-signature-256")))
        status = receiver.answers.pop(0) if receiver.answers else 200
        return Response(b"", status_code=status)

    async with serving(Litestar(route_handlers=[receive], openapi_config=None)) as url:
        receiver.url = f"{url}/webhook"
        yield receiver
