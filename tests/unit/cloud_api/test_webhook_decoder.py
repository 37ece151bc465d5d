"""One POST, many items: every item is decoded, an odd one is refused in its place, never the POST.

Only a body that is not Meta's envelope at all is MalformedWebhook; anything wrong inside it becomes
an UndecodableItem at its path, and the rest of the POST still arrives.
"""

from __future__ import annotations

import json

import pytest

from domain.content import Text, Unsupported
from domain.errors import MalformedWebhook
from domain.ids import WaId
from domain.status import MessageStatus
from domain.webhook_events import InboundMessageReceived, StatusReported, UndecodableItem, WebhookEvent
from tests.unit.cloud_api.webhook_payloads import (
    SHEENA,
    SHOP_NUMBER,
    UK_SHOP_NUMBER,
    decode_fixture,
    decoder,
    messages_of,
    payload,
    post,
    statuses_of,
    value_of,
)

BJORN = WaId("46701234567")
AMELIA = WaId("447700900123")


def messages_in(events: list[WebhookEvent]) -> list[tuple[str, str, str | None]]:
    return [(e.phone_number_id, e.identity.wa_id, e.customer_name) for e in events if isinstance(e, InboundMessageReceived)]


def statuses_in(events: list[WebhookEvent]) -> list[tuple[str, MessageStatus]]:
    return [(e.phone_number_id, e.event.status) for e in events if isinstance(e, StatusReported)]


def undecodable_in(events: list[WebhookEvent]) -> list[UndecodableItem]:
    return [e for e in events if isinstance(e, UndecodableItem)]


def test_a_batched_post_yields_every_message_and_status_each_under_its_own_number() -> None:
    events = decode_fixture("batched.json")

    messages = [(e.phone_number_id, e.identity.wa_id, e.customer_name) for e in events if isinstance(e, InboundMessageReceived)]
    statuses = [(e.phone_number_id, e.event.status) for e in events if isinstance(e, StatusReported)]
    assert messages == [
        (SHOP_NUMBER, SHEENA, "Sheena Nelson"),
        (SHOP_NUMBER, WaId("46701234567"), "Bj\u00f6rn Lind"),
        (UK_SHOP_NUMBER, WaId("447700900123"), "Amelia Hart"),
    ]
    assert statuses == [
        (SHOP_NUMBER, MessageStatus.SENT),
        (SHOP_NUMBER, MessageStatus.DELIVERED),
        (UK_SHOP_NUMBER, MessageStatus.READ),
        (UK_SHOP_NUMBER, MessageStatus.FAILED),
    ]
    assert len(events) == 7, "the account_update change yields nothing"


def test_fields_meta_adds_later_are_ignored_at_every_level() -> None:
    body = payload("text.json")
    body["api_version"] = "v99.0"
    entry = body["entry"][0]
    entry["region"] = "EU"
    entry["changes"][0]["hint"] = "new"
    value = entry["changes"][0]["value"]
    value["metadata"]["verified_name"] = "Blue Mugs"
    value["contacts"][0]["identity_key_hash"] = "h4sh"
    value["contacts"][0]["user_id"] = "US.13491208655302741918"
    messages_of(body)[0]["from_user_id"] = "US.13491208655302741918"
    messages_of(body)[0]["text"]["language"] = "en"

    assert post(body) == decode_fixture("text.json")


def test_a_batched_post_with_a_bad_status_and_a_message_without_sender_refuses_exactly_those() -> None:
    body = payload("batched.json")
    del messages_of(body)[1]["from"]
    statuses_of(body, entry=1, change=1)[0]["id"] = "HBgMNDQ3NzAwOTAwMTIz"

    events = post(body)

    assert undecodable_in(events) == [
        UndecodableItem(
            path="entry[0].changes[0].value.messages[1]",
            reason="Object missing required field `from` - at `entry[0].changes[0].value.messages[1]`",
            phone_number_id=SHOP_NUMBER,
        ),
        UndecodableItem(
            path="entry[1].changes[1].value.statuses[0]",
            reason="entry[1].changes[1].value.statuses[0].id: 'HBgMNDQ3NzAwOTAwMTIz' is not a WhatsApp message id: "
            "wamids look like 'wamid.HBgL...'",
            phone_number_id=UK_SHOP_NUMBER,
        ),
    ]
    assert messages_in(events) == [(SHOP_NUMBER, SHEENA, "Sheena Nelson"), (UK_SHOP_NUMBER, AMELIA, "Amelia Hart")]
    assert statuses_in(events) == [
        (SHOP_NUMBER, MessageStatus.SENT),
        (SHOP_NUMBER, MessageStatus.DELIVERED),
        (UK_SHOP_NUMBER, MessageStatus.FAILED),
    ]


def test_a_change_whose_business_number_does_not_read_is_refused_whole_and_its_siblings_arrive() -> None:
    body = payload("batched.json")
    value_of(body, entry=1, change=0)["metadata"]["phone_number_id"] = "+44 20 7183 8750"

    events = post(body)

    [refused] = undecodable_in(events)
    assert refused.path == "entry[1].changes[0]" and refused.phone_number_id is None
    assert refused.reason.startswith("entry[1].changes[0].value.metadata.phone_number_id: '+44 20 7183 8750'")
    assert messages_in(events) == [(SHOP_NUMBER, SHEENA, "Sheena Nelson"), (SHOP_NUMBER, BJORN, "Bj\u00f6rn Lind")]
    assert len(statuses_in(events)) == 4


def test_an_entry_or_change_that_is_not_metas_shape_is_refused_in_its_place() -> None:
    body = payload("batched.json")
    body["entry"].insert(0, "not an entry")
    body["entry"][2]["changes"].insert(0, {"value": {}})

    events = post(body)

    assert undecodable_in(events) == [
        UndecodableItem(path="entry[0]", reason="Expected `object`, got `str` - at `entry[0]`"),
        UndecodableItem(
            path="entry[2].changes[0]",
            reason="Object missing required field `field` - at `entry[2].changes[0]`",
        ),
    ]
    assert len(messages_in(events)) == 3 and len(statuses_in(events)) == 4


def test_a_contact_card_that_does_not_read_only_costs_its_messages_their_name() -> None:
    body = payload("batched.json")
    value_of(body)["contacts"][0] = {"wa_id": 16505551234, "profile": {"name": "Sheena Nelson"}}

    events = post(body)

    assert messages_in(events)[:2] == [(SHOP_NUMBER, SHEENA, None), (SHOP_NUMBER, BJORN, "Bj\u00f6rn Lind")]
    assert undecodable_in(events) == []


def test_fields_wahub_has_no_state_for_yield_nothing() -> None:
    body = payload("status_read.json")
    body["entry"][0]["changes"] = [{"field": "phone_number_quality_update", "value": {"event": "ONBOARDING"}}]

    assert post(body) == []


@pytest.mark.parametrize(
    ("untrusted_body", "reason"),
    [
        (
            b'{"object": "whatsapp_business_account", "entry": [}',
            "body is not JSON: JSON is malformed: invalid character (byte 50)",
        ),
        (b"", "body is not JSON: Input data was truncated"),
        (b"[]", "body is not Meta's webhook envelope: Expected `object`, got `array`"),
        (
            b'{"object": "page", "entry": []}',
            "body is not Meta's webhook envelope: Invalid enum value 'page' - at `$.object`",
        ),
        (
            b'{"object": "whatsapp_business_account"}',
            "body is not Meta's webhook envelope: Object missing required field `entry`",
        ),
        (
            b'{"object": "whatsapp_business_account", "entry": "oops"}',
            "body is not Meta's webhook envelope: Expected `array`, got `str` - at `$.entry`",
        ),
    ],
)
def test_a_body_that_is_not_metas_envelope_is_refused_with_a_precise_reason(untrusted_body: bytes, reason: str) -> None:
    with pytest.raises(MalformedWebhook) as refused:
        decoder.decode(untrusted_body)

    assert str(refused.value) == reason


def _with_raw_message_text(raw: bytes) -> bytes:
    """batched.json with the first message's text body replaced by raw bytes, as they came on the wire."""
    body = payload("batched.json")
    messages_of(body)[0]["text"]["body"] = "RAW"
    return json.dumps(body).encode().replace(b'"RAW"', raw)


@pytest.mark.parametrize(
    "raw",
    [b'"\xff"', b'"\\udc00"', b'"\\ud800 alone"', b'"' + b"\\\\" + b'udc00 is text, not an escape"'],
    ids=["invalid UTF-8 byte", "lone low surrogate", "lone high surrogate", "escaped backslash"],
)
def test_a_message_whose_bytes_do_not_decode_is_kept_as_unsupported_and_its_siblings_arrive(raw: bytes) -> None:
    events = decoder.decode(_with_raw_message_text(raw))

    [first, *others] = [e for e in events if isinstance(e, InboundMessageReceived)]
    assert len(others) == 2 and len(statuses_in(events)) == 4
    if raw.startswith(b'"\\\\'):
        assert first.content == Text(body="\\udc00 is text, not an escape")
    else:
        assert isinstance(first.content, Unsupported) and first.content.original_type == "text"
        assert first.content.detail == "Meta's 'text' message is not valid JSON: Invalid UTF-8 encoded string"


def test_a_valid_surrogate_pair_still_reads_as_its_character() -> None:
    events = decoder.decode(_with_raw_message_text(b'"\\ud83d\\ude00"'))

    [first, *_] = [e for e in events if isinstance(e, InboundMessageReceived)]
    assert first.content == Text(body="\U0001f600")


def test_a_body_nested_a_thousand_deep_is_malformed_not_an_uncaught_error() -> None:
    body = payload("text.json")
    deep = b'{"a":' * 1000 + b"1" + b"}" * 1000
    raw = json.dumps(body).encode().replace(b'"messaging_product"', b'"deep": ' + deep + b', "messaging_product"', 1)

    with pytest.raises(MalformedWebhook, match="nested too deeply"):
        decoder.decode(raw)
