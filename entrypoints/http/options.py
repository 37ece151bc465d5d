"""OPTIONS answers name every method of the path in `Allow`.

Litestar answers OPTIONS itself, but with the methods of one of the handler groups sharing a path only
(`OPTIONS /v1/templates` said `OPTIONS, POST`, leaving out GET); a client or a CORS preflight trusting it
would think GET refused. This rewrites the header from the route the request was routed to.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def allow_every_method(app: ASGIApp) -> ASGIApp:
    async def answer_options(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "OPTIONS":
            await app(scope, receive, send)
            return
        allowed = _methods(scope["app"], scope.get("path_template", ""))

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                headers = [(name, value) for name, value in message.get("headers", []) if name.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", allowed.encode())]}
            await send(message)

        await app(scope, receive, sending)

    return answer_options


def _methods(app: Litestar, path_template: str) -> str:
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path_format == path_template:
            return ", ".join(sorted(route.methods))
    return ""
