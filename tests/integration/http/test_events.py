"""GET /v1/events: live events as SSE, resumable with Last-Event-ID, over the real app.

Litestar's test client buffers a whole response, so an endless stream is read over loopback from the
same app, served by uvicorn inside the test client's event loop, where its lifespan already runs.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from adapters.memory.live_events import InMemoryLiveEvents
from entrypoints.http.events import sse_messages
from tests.integration.http.conftest import ADMIN_KEY, Api
from tests.integration.http.test_webhook_and_messages import INBOUND, signed

PATIENCE_SECONDS = 5


@dataclass(frozen=True)
class Sse:
    id: str
    event: str
    data: Any


@pytest.fixture
async def served(api: Api) -> AsyncIterator[str]:
    """The app of `api`, also reachable at a loopback URL that can stream."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(api.client.app, lifespan="off", log_level="warning"))
    running = api.client.blocking_portal.start_task_soon(server.serve, [listener])
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    await asyncio.wrap_future(running)


async def read_events(lines: AsyncIterator[str], count: int) -> list[Sse]:
    """The next `count` events of an SSE stream, comments skipped; `lines` goes on where it stopped."""
    events: list[Sse] = []
    fields: dict[str, str] = {}
    async with asyncio.timeout(PATIENCE_SECONDS):
        async for line in lines:
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(": ")
                fields[name] = value
                continue
            if fields:
                events.append(Sse(id=fields["id"], event=fields["event"], data=json.loads(fields["data"])))
                fields = {}
            if len(events) == count:
                return events
    raise AssertionError(f"the stream ended after {events}")


@asynccontextmanager
async def follow(url: str, **headers: str) -> AsyncIterator[httpx.Response]:
    """An admin's SSE connection, as a browser's EventSource would open it."""
    headers = {"authorization": f"Bearer {ADMIN_KEY}", **headers}
    async with httpx.AsyncClient(timeout=PATIENCE_SECONDS) as client:
        async with client.stream("GET", f"{url}/v1/events", headers=headers) as response:
            yield response


async def customer_writes_and_we_answer(api: Api, text: str) -> str:
    body = json.dumps(INBOUND).encode()
    await api.client.post("/webhook", content=body, headers=signed(body))
    return await we_send(api, text)


async def we_send(api: Api, text: str) -> str:
    sent = await api.client.post(
        "/v1/messages", json={"to": "+16505551234", "type": "text", "text": {"body": text}}, headers=api.as_admin()
    )
    assert sent.status_code == 202, sent.text
    message_id: str = sent.json()["id"]
    return message_id


async def test_new_messages_and_their_statuses_arrive_as_server_sent_events(api: Api, served: str) -> None:
    async with follow(served) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        sent_id = await customer_writes_and_we_answer(api, "Hello Sheena")

        received, created, status = await read_events(stream.aiter_lines(), 3)

    assert [received.event, created.event, status.event] == ["message.received", "message.created", "message.status"]
    assert int(received.id) < int(created.id) < int(status.id)
    assert received.data["wamid"] == "wamid.IN1" and received.data["content"]["body"] == "Hi"
    assert created.data["id"] == sent_id and created.data["content"]["body"] == "Hello Sheena"
    assert status.data["id"] == sent_id and status.data["status"] == "accepted"


async def test_a_client_reconnecting_with_last_event_id_gets_exactly_what_it_missed(api: Api, served: str) -> None:
    async with follow(served) as stream:
        await customer_writes_and_we_answer(api, "Hello Sheena")
        first, *missed = await read_events(stream.aiter_lines(), 3)

    async with follow(served, **{"last-event-id": first.id}) as resumed:
        lines = resumed.aiter_lines()
        replayed = await read_events(lines, 2)
        later_id = await we_send(api, "Anything else?")
        [later] = await read_events(lines, 1)

    assert replayed == missed
    assert later.event == "message.created" and later.data["id"] == later_id


async def test_the_after_query_resumes_like_the_header_and_the_header_wins(api: Api, served: str) -> None:
    async with follow(served) as stream:
        await customer_writes_and_we_answer(api, "Hello Sheena")
        first, second, third = await read_events(stream.aiter_lines(), 3)

    async with httpx.AsyncClient(timeout=PATIENCE_SECONDS) as client:
        url = f"{served}/v1/events?after={first.id}"
        async with client.stream("GET", url, headers={"authorization": f"Bearer {ADMIN_KEY}"}) as by_query:
            assert await read_events(by_query.aiter_lines(), 2) == [second, third]
        headers = {"authorization": f"Bearer {ADMIN_KEY}", "last-event-id": second.id}
        async with client.stream("GET", url, headers=headers) as by_header:
            assert await read_events(by_header.aiter_lines(), 1) == [third]


async def test_an_id_from_before_a_restart_gets_a_stream_reset_then_new_events(api: Api, served: str) -> None:
    async with follow(served, **{"last-event-id": "42"}) as stream:
        lines = stream.aiter_lines()
        [reset] = await read_events(lines, 1)
        sent_id = await customer_writes_and_we_answer(api, "Hello Sheena")
        received, created, _ = await read_events(lines, 3)

    assert reset.event == "stream.reset" and reset.data["last_event_id"] == 42
    assert "reload state from the API" in reset.data["reason"]
    assert int(reset.id) < int(received.id) and created.data["id"] == sent_id


async def test_following_events_needs_a_key_and_a_sane_last_event_id(api: Api) -> None:
    anonymous = await api.client.get("/v1/events")
    garbled = await api.client.get("/v1/events", headers={**api.as_admin(), "last-event-id": "yesterday"})

    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == "application/problem+json"
    assert garbled.status_code == 400 and "Last-Event-ID" in garbled.json()["detail"]


async def test_an_idle_stream_gets_keep_alive_comments_between_events() -> None:
    live_events = InMemoryLiveEvents(origin=0)
    messages = sse_messages(live_events.subscribe(after=None), keep_alive_seconds=0.01)

    idle = await anext(messages)
    await live_events.publish("template.updated", {"name": "order_update"})
    event = await anext(messages)

    assert idle.comment == "keep-alive" and idle.data is None
    assert event.encode() == b'id: 1\r\nevent: template.updated\r\ndata: {"name":"order_update"}\r\n\r\n'


async def test_a_client_further_behind_than_the_retained_history_is_told_to_reload() -> None:
    live_events = InMemoryLiveEvents(retained=2, origin=0)
    seen, *_, newest = [await live_events.publish("message.status", {"n": n}) for n in range(4)]

    reset = await anext(live_events.subscribe(after=seen.id))

    assert reset.type == "stream.reset" and reset.id == newest.id
    assert reset.data["last_event_id"] == seen.id and "only the latest 2" in reset.data["reason"]


async def test_a_subscriber_that_lags_past_the_retained_history_is_told_to_reload_too() -> None:
    live_events = InMemoryLiveEvents(retained=2, origin=0)
    subscription = live_events.subscribe(after=None)
    first = await live_events.publish("message.received", {"n": 0})
    assert await anext(subscription) == first

    *_, newest = [await live_events.publish("message.status", {"n": n}) for n in range(1, 5)]
    reset = await anext(subscription)

    assert reset.type == "stream.reset" and reset.id == newest.id
