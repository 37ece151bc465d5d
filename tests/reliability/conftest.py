"""Reliability under faults and bad input: real `wahub serve` processes, Meta's webhooks signed as Meta signs them.

One server is shared by a module's tests (starting one costs seconds on a loaded machine); the
tests that kill a server start their own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.webhook_signature import sign
from tests.e2e.support import WahubServer, eventually, start_wahub, wahub_environment

APP_SECRET = "reliability-tests-app-secret"
VISIBLE_WITHIN = 2.0
"""Seconds a valid message may take to be visible after the bad POSTs before it (issue 8's bound)."""


class Meta:
    """Plays Meta's webhook deliveries to one server: signed POSTs, and customer messages built in Meta's shape."""

    def __init__(self, server: WahubServer) -> None:
        self.server = server
        self.api = server.api()
        checks = self.api.get("/v1/setup/checks")
        assert checks.status_code == 200, checks.text
        self.phone_number_id: str = checks.json()["phone_number_id"]
        self._client = httpx.Client(base_url=server.url, timeout=10.0)
        server.clients.append(self._client)

    def post(self, body: bytes) -> httpx.Response:
        signature = sign(APP_SECRET.encode(), body)
        return self._client.post("/webhook", content=body, headers={"x-hub-signature-256": signature})

    def envelope(self, messages: list[bytes] = (), statuses: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
        """Items as raw JSON bytes, so a test can place bytes no JSON encoder would write."""
        value = (
            b'{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"'
            + self.phone_number_id.encode()
            + b'"},"messages":['
            + b",".join(messages)
            + b'],"statuses":['
            + b",".join(statuses)
            + b"]}"
        )
        return (
            b'{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":'
            + value
            + b"}]}]}"
        )

    def visible(self, wa_id: str, wamid: str, timeout: float = VISIBLE_WITHIN) -> dict[str, Any]:
        """The message as the API shows it, once it shows it (within `timeout`)."""

        def found() -> dict[str, Any] | None:
            answer = self.api.get(f"/v1/conversations/{wa_id}/messages", params={"limit": "100"})
            assert answer.status_code in (200, 404), answer.text
            return next((m for m in answer.json().get("data", []) if m["wamid"] == wamid), None) if answer.status_code == 200 else None

        return eventually(found, timeout=timeout)


def text_message(wamid: str, sender: str, body: str, at: int | None = None) -> bytes:
    message = {
        "from": sender,
        "id": wamid,
        "timestamp": str(at if at is not None else int(time.time())),
        "type": "text",
        "text": {"body": body},
    }
    return json.dumps(message).encode()


def reliability_environment(home: Path, **variables: str) -> dict[str, str]:
    return wahub_environment(home, WAHUB_APP_SECRET=APP_SECRET, **variables)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WahubServer]:
    root = tmp_path_factory.mktemp("reliability")
    (root / "home").mkdir()
    running = start_wahub(reliability_environment(root / "home"), root / "logs")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def meta(server: WahubServer) -> Meta:
    return Meta(server)


@pytest.fixture
def ended() -> Iterator[Callable[[WahubServer], WahubServer]]:
    """Wrap each server a test starts itself: every one is stopped when the test ends, however it ends."""
    started: list[WahubServer] = []

    def keep(server: WahubServer) -> WahubServer:
        started.append(server)
        return server

    yield keep
    for server in started:
        server.stop()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """HOME of the server processes a test starts itself; every start of one test shares it (a restart)."""
    path = tmp_path / "home"
    path.mkdir()
    return path
