"""The desktop's client layer, without Qt, against a real `wahub serve` over loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from desktop.client import BadServerUrl, Refused, ServerUnreachable, WahubClient, check_server_url
from desktop.events import STREAM_RESET, ConnectionState, EventFollower, StreamEvent
from domain.retry import RetryPolicy
from tests.e2e.conftest import StartWahub
from tests.e2e.support import ADMIN_KEY, WahubServer, customer_writes, eventually, free_port


@pytest.fixture
def client(wahub: WahubServer) -> Iterator[WahubClient]:
    client = WahubClient(wahub.url, ADMIN_KEY)
    yield client
    client.close()


def test_a_conversation_reads_as_the_window_shows_it(wahub: WahubServer, client: WahubClient) -> None:
    customer_writes(wahub.simulator(), "16505551234", "Where is my order?", name="Sheena")

    conversation = eventually(lambda: client.conversations().data)[0]
    history = client.history(*conversation.key).data

    assert (conversation.title, conversation.handle, conversation.unread_count) == ("Sheena", "+16505551234", 1)
    assert conversation.customer_id and conversation.window == "open"
    assert [(m.direction, m.content["body"]) for m in history] == [("inbound", "Where is my order?")]
    assert client.mark_read(*conversation.key).unread_count == 0


def test_pages_follow_the_cursor_to_the_end(wahub: WahubServer, client: WahubClient) -> None:
    simulator = wahub.simulator()
    for number in range(5):
        customer_writes(simulator, f"1650555100{number}", f"hello {number}")
    eventually(lambda: len(client.conversations(limit=100).data) == 5)

    seen, cursor = [], None
    while True:
        page = client.conversations(cursor=cursor, limit=2)
        seen += [c.customer_id for c in page.data]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(seen) == [f"1650555100{n}" for n in range(5)]


def test_who_the_key_is(client: WahubClient) -> None:
    me = client.me()

    assert me.role == "admin" and "manage API keys" in me.actions


def test_each_failure_says_what_is_wrong(wahub: WahubServer) -> None:
    with pytest.raises(BadServerUrl, match="not a server URL"):
        check_server_url("127.0.0.1:8000")
    with pytest.raises(ServerUnreachable, match="nothing answers"):
        WahubClient(f"http://127.0.0.1:{free_port()}", ADMIN_KEY).me()
    with pytest.raises(Refused) as refused:
        WahubClient(wahub.url, "wahub_not_a_key_of_this_server_0123456789").me()
    assert refused.value.refused_key


def test_the_key_never_shows_in_a_repr(wahub: WahubServer, client: WahubClient) -> None:
    assert ADMIN_KEY not in repr(client) and ADMIN_KEY not in str(vars(client).get("server_url"))


class Recorder:
    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.states: list[ConnectionState] = []


QUICK = RetryPolicy(max_attempts=0, base=timedelta(seconds=0.1), cap=timedelta(seconds=0.5))
"""The window's policy, faster: the test waits for a restart, not for the backoff."""


def follow(server: WahubServer, recorder: Recorder) -> tuple[EventFollower, threading.Thread]:
    headers = WahubClient(server.url, ADMIN_KEY).event_stream_headers()
    follower = EventFollower(
        f"{server.url}/v1/events", headers, recorder.events.append, recorder.states.append, policy=QUICK
    )
    thread = threading.Thread(target=follower.follow)
    thread.start()
    return follower, thread


def test_the_follower_resumes_after_a_restart_and_is_told_to_reload(start: StartWahub) -> None:
    server = start()
    recorder = Recorder()
    follower, thread = follow(server, recorder)
    try:
        eventually(lambda: recorder.states and recorder.states[-1].connected)
        customer_writes(server.simulator(), "16505550001", "first")
        eventually(lambda: [e for e in recorder.events if e.type == "message.received"])
        server.kill()
        eventually(lambda: not recorder.states[-1].connected)

        restarted = start(port=server.port)

        eventually(lambda: [e for e in recorder.events if e.type == STREAM_RESET], timeout=30)
        assert recorder.states[-1].connected and restarted.port == server.port
        down = [s for s in recorder.states if not s.connected]
        assert all(s.retry_in > 0 and s.reason for s in down)
    finally:
        follower.stop()
        thread.join(10)
    assert not thread.is_alive()


def test_stop_ends_a_quiet_stream_at_once(wahub: WahubServer) -> None:
    recorder = Recorder()
    follower, thread = follow(wahub, recorder)
    eventually(lambda: recorder.states and recorder.states[-1].connected)

    follower.stop()
    thread.join(2)

    assert not thread.is_alive()
