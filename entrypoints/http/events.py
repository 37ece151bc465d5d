"""`GET /v1/events`: the live events as server-sent events, for dashboards and integrators."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from application.access import Action
from application.records import LiveEvent
from domain.messages import Message
from entrypoints.http.auth import requires
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import message_view

KEEP_ALIVE_SECONDS = 15.0


class EventsController(Controller):
    path = "/v1/events"
    tags = ["events"]

    @get("/", guards=[requires(Action.FOLLOW_EVENTS)], media_type="text/event-stream")
    async def follow(
        self,
        request: Request[Any, Any, Any],
        last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID")] = None,
        after: Annotated[
            int | None, QueryParameter(description="resume after this event id, for clients that cannot set headers")
        ] = None,
    ) -> ServerSentEvent:
        """New messages, status changes and template updates as they happen, each with `id:` to resume from.

        Reconnecting with `Last-Event-ID` (browsers do it themselves) replays exactly what was missed; the
        header wins over `?after=`, which a reconnecting EventSource keeps sending unchanged. Without
        either, the stream starts with the events this process still holds. Live events live in this
        server process's memory (the latest 10 000): an id it cannot resume from, because the server
        restarted or the client fell too far behind, gets one `stream.reset` event whose data says why;
        the client should then reload state from the API and carry on from the reset's id. A comment
        every 15 s keeps proxies from closing an idle stream.
        """
        runtime: Runtime = request.app.state.runtime
        resume_after = _event_id(last_event_id) if last_event_id is not None else after
        return ServerSentEvent(sse_messages(runtime.live_events.subscribe(after=resume_after), KEEP_ALIVE_SECONDS))


async def sse_messages(events: AsyncIterator[LiveEvent], keep_alive_seconds: float) -> AsyncIterator[ServerSentEventMessage]:
    """Each live event as one SSE message, and a comment whenever nothing happened for `keep_alive_seconds`.

    The pending read is awaited with `asyncio.wait`, never cancelled by a timeout: cancelling it would
    close the subscription itself.
    """
    pending = asyncio.ensure_future(anext(events))
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=keep_alive_seconds)
            if not done:
                yield ServerSentEventMessage(data=None, comment="keep-alive")
                continue
            yield sse_message(pending.result())
            pending = asyncio.ensure_future(anext(events))
    finally:
        pending.cancel()


def sse_message(event: LiveEvent) -> ServerSentEventMessage:
    return ServerSentEventMessage(id=event.id, event=event.type, data=msgspec.json.encode(_public(event)).decode())


def _public(event: LiveEvent) -> object:
    """Messages go out in the same shape as GET /v1/messages/{id}, so a client parses them once."""
    if event.type.startswith("message."):
        return message_view(msgspec.convert(event.data, Message))
    return event.data


def _event_id(header: str) -> int:
    """Only ids this stream handed out are valid; anything else is a client bug worth a clear 400, not a silent replay."""
    if not header.strip().isdigit():
        raise ValidationException(f"Last-Event-ID must be an event id sent by this stream (digits), not {header!r}")
    return int(header)
