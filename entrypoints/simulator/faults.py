"""Faults on Meta's paths, injected through the control API: error answers, slow answers, dropped connections.

Each fault applies to the next `n` Graph requests (never to `/_sim/`), so a test sees exactly the
failures it asked for.
"""

from __future__ import annotations

import asyncio

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.simulator.meta_errors import MetaError

CONTROL_PREFIX = "/_sim/"
_TITLES = {
    2: "Service temporarily unavailable",
    4: "Too many API calls",
    100: "Invalid parameter",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    133004: "Server temporarily unavailable",
}
"""Meta's titles of the codes tests inject, so an injected error reads as Meta's would."""


class GraphFaults(msgspec.Struct, kw_only=True):
    fail: int = 0
    """The next `fail` requests get Meta's error answer `fail_code` with HTTP `fail_status`."""
    fail_status: int = 500
    fail_code: int = 131000
    slow: int = 0
    slow_seconds: float = 5.0
    drop: int = 0
    """The next `drop` requests see the connection close mid-answer."""
    late: int = 0
    """The next `late` requests are acted on at once (a send is accepted) but answered `late_seconds` later:
    what a client sees when it dies, or gives up, between Meta's acceptance and its answer."""
    late_seconds: float = 30.0


class FaultInjector:
    def __init__(self) -> None:
        self.faults = GraphFaults()

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def inject(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["path"].startswith(CONTROL_PREFIX):
                await app(scope, receive, send)
                return
            await self._apply(app, scope, receive, send)

        return inject

    async def _apply(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.faults
        if faults.drop > 0:
            faults.drop -= 1
            await _drop(send)
        elif faults.fail > 0:
            faults.fail -= 1
            await _error(send, faults.fail_status, faults.fail_code)
        elif faults.late > 0:
            faults.late -= 1
            await _answered_late(app, scope, receive, send, faults.late_seconds)
        else:
            if faults.slow > 0:
                faults.slow -= 1
                await asyncio.sleep(faults.slow_seconds)
            await app(scope, receive, send)


async def _answered_late(app: ASGIApp, scope: Scope, receive: Receive, send: Send, seconds: float) -> None:
    answer: list[Message] = []

    async def held(message: Message) -> None:
        answer.append(message)

    await app(scope, receive, held)
    await asyncio.sleep(seconds)
    for message in answer:
        await send(message)


async def _error(send: Send, status: int, code: int) -> None:
    title = _TITLES.get(code, f"Error {code}")
    error = MetaError(code, title, "Injected by the simulator's control API.", http_status=status)
    body = msgspec.json.encode(error.body())
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _drop(send: Send) -> None:
    """Promise a body, send part of it, and stop: the server closes the connection under the client."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"messaging', "more_body": True})
    raise ConnectionAbortedError("connection dropped by the simulator's fault injection")
