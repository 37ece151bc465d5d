"""Every example payload in tests/payloads is accepted, read as the event it is, and applied without refusal."""

from __future__ import annotations

import pytest

from domain.content import kind_of
from domain.webhook_events import (
    ChangeErrorsReported,
    InboundMessageReceived,
    MessageChanged,
    StatusReported,
    TemplateQualityChanged,
    TemplateStatusChanged,
    UndecodableItem,
    WebhookEvent,
)
from tests.unit.application.conftest import Harness
from tests.unit.application.test_process_webhooks import published
from tests.unit.cloud_api.webhook_payloads import PAYLOADS, decode_fixture

EXPECTED: dict[str, list[str]] = {
    "audio_voice.json": ["message:audio"],
    "batched.json": [
        "message:text", "message:text", "status:sent", "status:delivered", "message:reaction", "status:read", "status:failed",
    ],
    "button.json": ["message:button"],
    "contacts.json": ["message:contacts"],
    "document.json": ["message:document"],
    "edit.json": ["change:edit"],
    "image.json": ["message:image"],
    "interactive_button_reply.json": ["message:interactive"],
    "interactive_list_reply.json": ["message:interactive"],
    "interactive_nfm_reply.json": ["message:interactive"],
    "location.json": ["message:location"],
    "order.json": ["message:order"],
    "reaction.json": ["message:reaction"],
    "reaction_removed.json": ["message:reaction"],
    "referral_text.json": ["message:text"],
    "request_welcome.json": ["message:request_welcome"],
    "revoke.json": ["change:revoke"],
    "status_delivered.json": ["status:delivered"],
    "status_delivered_bsuid.json": ["status:delivered"],
    "status_failed.json": ["status:failed"],
    "status_failed_marketing_limit.json": ["status:failed"],
    "status_played.json": ["status:played"],
    "status_read.json": ["status:read"],
    "status_sent.json": ["status:sent"],
    "sticker.json": ["message:sticker"],
    "system.json": ["message:system"],
    "system_user_changed_user_id.json": ["message:system"],
    "template_quality_update.json": ["template_quality"],
    "template_status_update.json": ["template_status"],
    "text.json": ["message:text"],
    "text_bsuid.json": ["message:text"],
    "text_hidden_number.json": ["message:text"],
    "unsupported.json": ["message:unsupported"],
    "value_errors.json": ["change_errors"],
    "video.json": ["message:video"],
}


def kind(event: WebhookEvent) -> str:
    match event:
        case InboundMessageReceived():
            return f"message:{kind_of(event.content)}"
        case MessageChanged():
            return f"change:{type(event.change).__name__.lower()}"
        case StatusReported():
            return f"status:{event.event.status}"
        case TemplateStatusChanged():
            return "template_status"
        case TemplateQualityChanged():
            return "template_quality"
        case ChangeErrorsReported():
            return "change_errors"
        case UndecodableItem():
            return f"undecodable:{event.reason}"


def test_every_payload_file_is_listed_here() -> None:
    assert sorted(p.name for p in PAYLOADS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_payload_is_read_as_the_events_it_holds(name: str) -> None:
    assert [kind(e) for e in decode_fixture(name)] == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_each_payload_is_applied_without_a_refusal(name: str) -> None:
    harness = Harness()

    await harness.receive((PAYLOADS / name).read_bytes())

    refusals = [e for e in await published(harness) if e.type in ("webhook.undecodable", "webhook.malformed")]
    assert refusals == []
    assert await harness.stores.inbox.unprocessed(10) == []
