"""Following `GET /v1/events` for as long as the window is open, without Qt.

The follower resumes with `Last-Event-ID` after every drop, so nothing published while it was away is
missed; between attempts it waits with the same backoff wahub uses for its own retries (jittered,
capped), so a server that is down sees a trickle of reconnects, not a storm. It reports its state
(connected, or reconnecting and when) once per change: the window shows one banner, never a dialog
per failure. A `stream.reset` is passed on like any event: the window then re-fetches what it shows.
"""

from __future__ import annotations

import json
import random
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import msgspec

from domain.retry import RetryPolicy

STREAM_RESET = "stream.reset"
RECONNECT = RetryPolicy(max_attempts=0, base=timedelta(seconds=0.5), cap=timedelta(seconds=15))
"""Attempts are never given up on: the agent's window waits for its server however long it is gone."""
CEILING_ATTEMPT = 8
"""By then the delay has reached the cap; counting further would only overflow the exponent."""
SILENCE = 40.0
"""The server comments every 15 s; this long without a byte means the connection is dead."""


class StreamEvent(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    type: str
    data: Any


class ConnectionState(msgspec.Struct, frozen=True, kw_only=True):
    connected: bool
    attempt: int = 0
    retry_in: float = 0.0
    reason: str = ""


def parse_events(lines: Iterator[str]) -> Iterator[StreamEvent]:
    """Server-sent events from their text lines: `id`, `event` and `data` fields, a blank line ends one."""
    fields: dict[str, str] = {}
    data: list[str] = []
    for line in lines:
        if line.startswith(":"):
            continue
        if not line:
            if data:
                yield StreamEvent(
                    id=fields.get("id", ""), type=fields.get("event", "message"), data=_decode("\n".join(data))
                )
            fields, data = {}, []
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        else:
            fields[name] = value


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


class EventFollower:
    """Runs `follow()` on a worker thread; `stop()` from any thread ends it promptly."""

    def __init__(
        self,
        events_url: str,
        headers: dict[str, str],
        on_event: Callable[[StreamEvent], None],
        on_state: Callable[[ConnectionState], None],
        last_event_id: str | None = None,
        policy: RetryPolicy = RECONNECT,
    ) -> None:
        self._url = events_url
        self._headers = headers
        self._on_event = on_event
        self._on_state = on_state
        self._policy = policy
        self.last_event_id = last_event_id
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None

    def stop(self) -> None:
        """Shutting the socket down wakes the blocked read at once; closing the client would not."""
        self._stopped.set()
        with self._lock:
            if self._socket is not None:
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def follow(self) -> None:
        failures = 0
        connected: bool | None = None
        while not self._stopped.is_set():
            try:
                for event in self._session():
                    if connected is not True:
                        connected, failures = True, 0
                        self._on_state(ConnectionState(connected=True))
                    if event is not None:
                        self._on_event(event)
                reason = "the server closed the event stream"
            except (httpx.HTTPError, OSError) as error:
                reason = _reason(error)
            if self._stopped.is_set():
                return
            failures += 1
            delay = self._policy.delay(min(failures, CEILING_ATTEMPT), random.random()).total_seconds()
            connected = False
            self._on_state(ConnectionState(connected=False, attempt=failures, retry_in=delay, reason=reason))
            self._stopped.wait(delay)

    def _session(self) -> Iterator[StreamEvent | None]:
        """Yields None once the stream is open (so the caller learns it is connected), then each event."""
        headers = self._headers | ({"last-event-id": self.last_event_id} if self.last_event_id else {})
        if self._stopped.is_set():
            return
        client = httpx.Client(timeout=httpx.Timeout(10.0, read=SILENCE))
        try:
            with client.stream("GET", self._url, headers=headers) as response:
                with self._lock:
                    self._socket = response.extensions["network_stream"].get_extra_info("socket")
                    if self._stopped.is_set():
                        return
                if response.status_code != 200:
                    response.read()
                    raise httpx.HTTPStatusError(
                        f"the event stream answered {response.status_code}", request=response.request, response=response
                    )
                yield None
                for event in parse_events(response.iter_lines()):
                    if event.id:
                        self.last_event_id = event.id
                    yield event
        finally:
            with self._lock:
                self._socket = None
            client.close()


def _reason(error: BaseException) -> str:
    if isinstance(error, httpx.ConnectError):
        return "the server does not answer"
    if isinstance(error, httpx.ReadTimeout):
        return "the server went silent"
    return str(error) or type(error).__name__
