"""The recorded payloads of tests/payloads and the ways these tests post them to the decoder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from domain.ids import PhoneNumberId, WaId
from domain.webhook_events import InboundMessageReceived, StatusReported, WebhookEvent

PAYLOADS = Path(__file__).parents[2] / "payloads"
SHOP_NUMBER = PhoneNumberId("106540352242922")
UK_SHOP_NUMBER = PhoneNumberId("113344556677889")
SHEENA = WaId("16505551234")
OUR_TEMPLATE_MESSAGE = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI4QzJCRTJGMjE3QjE0RDhDNTYA"

decoder = MetaWebhookDecoder()


def payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / name).read_bytes())
    return loaded


def post(body: dict[str, Any]) -> list[WebhookEvent]:
    """Serialise as Meta does: compact JSON with non-ASCII escaped."""
    return decoder.decode(json.dumps(body, ensure_ascii=True).encode())


def decode_fixture(name: str) -> list[WebhookEvent]:
    return decoder.decode((PAYLOADS / name).read_bytes())


def the_message(name: str) -> InboundMessageReceived:
    [event] = decode_fixture(name)
    assert isinstance(event, InboundMessageReceived)
    return event


def the_status(name: str) -> StatusReported:
    [event] = decode_fixture(name)
    assert isinstance(event, StatusReported)
    return event


def at(unix_seconds: int) -> datetime:
    return datetime.fromtimestamp(unix_seconds, tz=UTC)


def value_of(body: dict[str, Any], entry: int = 0, change: int = 0) -> dict[str, Any]:
    value: dict[str, Any] = body["entry"][entry]["changes"][change]["value"]
    return value


def messages_of(body: dict[str, Any], entry: int = 0, change: int = 0) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = value_of(body, entry, change)["messages"]
    return messages


def statuses_of(body: dict[str, Any], entry: int = 0, change: int = 0) -> list[dict[str, Any]]:
    statuses: list[dict[str, Any]] = value_of(body, entry, change)["statuses"]
    return statuses
