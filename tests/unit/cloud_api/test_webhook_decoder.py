from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from domain.content import (
    Audio,
    Button,
    Contacts,
    Document,
    Image,
    Interactive,
    ListReply,
    Location,
    Order,
    ProductItem,
    Reaction,
    Reply,
    RequestWelcome,
    Sticker,
    System,
    Text,
    Unsupported,
    kind_of,
)
from domain.errors import MalformedWebhook
from domain.ids import PhoneNumberId, WabaId, WaId, Wamid
from domain.messages import Pricing, Referral, ReplyContext
from domain.status import Failure, MessageStatus
from domain.webhook_events import (
    InboundMessageReceived,
    StatusReported,
    TemplateQualityChanged,
    TemplateStatusChanged,
    WebhookEvent,
)

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


def messages_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = body["entry"][0]["changes"][0]["value"]["messages"]
    return messages


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("text.json", "text"),
        ("image.json", "image"),
        ("video.json", "video"),
        ("audio_voice.json", "audio"),
        ("document.json", "document"),
        ("sticker.json", "sticker"),
        ("location.json", "location"),
        ("contacts.json", "contacts"),
        ("interactive_button_reply.json", "interactive"),
        ("interactive_list_reply.json", "interactive"),
        ("interactive_nfm_reply.json", "interactive"),
        ("button.json", "button"),
        ("reaction.json", "reaction"),
        ("order.json", "order"),
        ("system.json", "system"),
        ("referral_text.json", "text"),
        ("request_welcome.json", "request_welcome"),
        ("unsupported.json", "unsupported"),
    ],
)
def test_each_inbound_payload_becomes_one_message_of_its_type_from_the_customer_to_the_number(
    fixture: str, kind: str
) -> None:
    message = the_message(fixture)

    assert kind_of(message.content) == kind
    assert message.phone_number_id == SHOP_NUMBER
    assert message.wa_id == SHEENA
    assert message.wamid.startswith("wamid.")


def test_a_text_keeps_its_escaped_non_ascii_the_customer_name_and_metas_time() -> None:
    message = the_message("text.json")

    assert message.content == Text(body="Does it come in blue? \U0001f499 Merci, caf\u00e9 ouvert?")
    assert message.customer_name == "Jos\u00e9 Garc\u00eda"
    assert message.at == at(1750030073)


def test_media_messages_keep_the_media_id_to_download_and_their_details() -> None:
    assert the_message("image.json").content == Image(
        id="1003383421387256",
        caption="The blue one, size M",
        mime_type="image/jpeg",
        sha256="9a0Vvcvj1hG8qLx6eCKJ9YyqXTVc6tz0zKQ0uVq0s9E=",
    )
    assert the_message("audio_voice.json").content == Audio(
        id="1917263548392017",
        voice=True,
        mime_type="audio/ogg; codecs=opus",
        sha256="m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=",
    )
    document = the_message("document.json").content
    assert isinstance(document, Document) and document.filename == "receipt-0042.pdf"
    sticker = the_message("sticker.json").content
    assert isinstance(sticker, Sticker) and sticker.animated


def test_a_forwarded_video_says_it_was_forwarded() -> None:
    assert the_message("video.json").context == ReplyContext(forwarded=True)


def test_a_location_keeps_coordinates_and_the_chosen_place() -> None:
    assert the_message("location.json").content == Location(
        latitude=37.4611978,
        longitude=-122.2164385,
        name="Meta Headquarters",
        address="1 Hacker Way, Menlo Park, CA 94025",
        url="https://foursquare.com/v/meta-headquarters/5a1e1d4b8a6f171c4e3b8f11",
    )


def test_a_shared_contact_card_keeps_name_phone_and_address() -> None:
    content = the_message("contacts.json").content

    assert isinstance(content, Contacts)
    [card] = content.contacts
    assert card.name.formatted_name == "Lena M\u00fcller"
    assert card.phones[0].wa_id == "4915123456789"
    assert card.addresses[0].city == "M\u00fcnchen"


def test_a_reply_button_tap_carries_the_button_and_the_message_it_answers() -> None:
    message = the_message("interactive_button_reply.json")

    assert message.content == Interactive(
        type="button_reply", button_reply=Reply(id="confirm-delivery", title="Yes, deliver")
    )
    assert message.context == ReplyContext(
        message_id="wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", sender="15550783881"
    )


def test_a_list_choice_carries_the_chosen_row() -> None:
    assert the_message("interactive_list_reply.json").content == Interactive(
        type="list_reply",
        list_reply=ListReply(id="slot-tue-10", title="Tuesday 10:00", description="Morning delivery window"),
    )


def test_a_completed_flow_keeps_its_response_json_as_meta_sent_it() -> None:
    content = the_message("interactive_nfm_reply.json").content

    assert isinstance(content, Interactive) and content.nfm_reply is not None
    assert json.loads(content.nfm_reply.response_json) == {
        "flow_token": "survey-42",
        "rating": "5",
        "comment": "Tr\u00e8s bien",
    }


def test_a_template_quick_reply_tap_carries_its_payload_and_the_template_message() -> None:
    message = the_message("button.json")

    assert message.content == Button(text="Cancel order", payload="CANCEL_ORDER_42")
    assert message.context is not None and message.context.message_id == OUR_TEMPLATE_MESSAGE


def test_a_reaction_names_the_emoji_and_the_message_reacted_to() -> None:
    assert the_message("reaction.json").content == Reaction(message_id=OUR_TEMPLATE_MESSAGE, emoji="\U0001f62e")


def test_an_order_keeps_every_product_line() -> None:
    assert the_message("order.json").content == Order(
        catalog_id="1537469960183711",
        text="Please gift-wrap",
        product_items=[
            ProductItem(product_retailer_id="mug-blue-350", quantity=3, item_price=12.5, currency="USD"),
            ProductItem(product_retailer_id="tea-sencha-100g", quantity=1, item_price=30, currency="USD"),
        ],
    )


def test_a_changed_number_notice_comes_without_a_customer_name() -> None:
    message = the_message("system.json")

    assert message.content == System(
        body="User Sheena Nelson changed from 16505551234 to 16505559876",
        type="user_changed_number",
        wa_id="16505559876",
    )
    assert message.customer_name is None


def test_a_message_from_an_ad_keeps_the_referral() -> None:
    message = the_message("referral_text.json")

    assert message.content == Text(body="Is the 20% off still on?")
    assert message.referral == Referral(
        source_url="https://fb.me/3cr4Wqqkv",
        source_id="120226305854810726",
        source_type="ad",
        headline="Blue mugs, 20% off",
        body="Tap to chat with us on WhatsApp",
        media_type="image",
        ctwa_clid="ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-ZABI",
    )


def test_a_first_chat_open_is_a_welcome_request() -> None:
    assert the_message("request_welcome.json").content == RequestWelcome()


def test_a_type_meta_does_not_support_is_kept_with_what_the_customer_sent_and_metas_reason() -> None:
    assert the_message("unsupported.json").content == Unsupported(
        original_type="poll", detail="131051 Message type unknown: Message type is currently not supported."
    )


def test_a_sent_status_keeps_metas_time_pricing_and_callback_data() -> None:
    status = the_status("status_sent.json")

    assert status.wamid == OUR_TEMPLATE_MESSAGE
    assert status.phone_number_id == SHOP_NUMBER
    assert status.recipient == "16505551234"
    assert status.event.status is MessageStatus.SENT
    assert status.event.at == at(1750031000)
    assert status.pricing == Pricing(category="marketing", type="regular", pricing_model="PMP", billable=True)
    assert status.callback_data == "order-42"


def test_delivered_and_read_statuses_keep_metas_own_timestamps() -> None:
    delivered, read = the_status("status_delivered.json"), the_status("status_read.json")

    assert (delivered.event.status, delivered.event.at) == (MessageStatus.DELIVERED, at(1750031004))
    assert (read.event.status, read.event.at, read.pricing) == (MessageStatus.READ, at(1750031187), None)


def test_a_failed_status_carries_metas_code_title_and_details() -> None:
    status = the_status("status_failed.json")

    assert status.event.status is MessageStatus.FAILED
    assert status.event.failure == Failure(
        code=131047,
        title="Re-engagement message",
        details="Message failed to send because more than 24 hours have passed "
        "since the customer last replied to this number.",
    )


def test_a_template_review_outcome_is_timed_by_the_entry_and_keeps_the_reason() -> None:
    assert decode_fixture("template_status_update.json") == [
        TemplateStatusChanged(
            waba_id=WabaId("102290129340398"),
            template_id="806312974732579",
            name="order_shipped",
            language="en_US",
            status="REJECTED",
            at=at(1750033320),
            reason="INVALID_FORMAT",
        )
    ]


def test_an_approval_has_no_reason() -> None:
    body = payload("template_status_update.json")
    body["entry"][0]["changes"][0]["value"].update(event="APPROVED", reason="NONE")

    [event] = post(body)

    assert isinstance(event, TemplateStatusChanged)
    assert (event.status, event.reason) == ("APPROVED", None)


def test_a_template_quality_change_reports_the_new_score() -> None:
    assert decode_fixture("template_quality_update.json") == [
        TemplateQualityChanged(
            waba_id=WabaId("102290129340398"),
            template_id="806312974732579",
            name="order_shipped",
            language="en_US",
            quality="YELLOW",
            at=at(1750034400),
        )
    ]


def test_a_batched_post_yields_every_message_and_status_each_under_its_own_number() -> None:
    events = decode_fixture("batched.json")

    messages = [(e.phone_number_id, e.wa_id, e.customer_name) for e in events if isinstance(e, InboundMessageReceived)]
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


def test_an_unknown_message_type_is_kept_as_unsupported_never_dropped() -> None:
    body = payload("text.json")
    message = messages_of(body)[0]
    del message["text"]
    message.update(type="poll_vote", poll_vote={"option": "Blue"})

    [event] = post(body)

    assert isinstance(event, InboundMessageReceived)
    assert event.content == Unsupported(
        original_type="poll_vote", detail="message type 'poll_vote' is not known to wahub"
    )
    assert event.wamid == Wamid("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUZCMTk0RDVFRjI4QjhFQzk4MgA=")
    assert event.customer_name == "Jos\u00e9 Garc\u00eda"


def test_a_known_type_without_its_object_is_kept_as_unsupported_with_metas_error() -> None:
    body = payload("text.json")
    del messages_of(body)[0]["text"]
    messages_of(body)[0]["type"] = "interactive"
    body["entry"][0]["changes"][0]["value"]["errors"] = [
        {"code": 131000, "title": "Something went wrong", "error_data": {"details": "Unsupported webhook payload"}}
    ]

    [event] = post(body)

    assert isinstance(event, InboundMessageReceived)
    assert event.content == Unsupported(
        original_type="interactive", detail="the 'interactive' message has no 'interactive' object"
    )


def test_one_odd_message_in_a_batch_is_kept_as_unsupported_and_the_others_still_arrive() -> None:
    body = payload("batched.json")
    good, other = messages_of(body)
    broken_location = dict(good, id="wamid.BROKEN1", type="location", location={"latitude": "north"})
    del broken_location["text"]
    strange_sender = dict(other, id="wamid.STRANGE2", **{"from": "US.13491208655302741918"})
    messages_of(body)[1:1] = [broken_location, strange_sender]

    events = [e for e in post(body) if isinstance(e, InboundMessageReceived)]

    assert [e.wamid for e in events] == [
        good["id"],
        "wamid.BROKEN1",
        "wamid.STRANGE2",
        other["id"],
        "wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUM0IwMDAwMDAwMDAwMDAwMDAwMwA=",
    ]
    assert events[0].content == Text(body="Where is my order?")
    assert events[1].content == Unsupported(
        original_type="location",
        detail="Meta's 'location' message did not decode: "
        "Expected `float`, got `str` - at `entry[0].changes[0].value.messages[1].location.latitude`",
    )
    assert isinstance(events[2].content, Unsupported) and "not a WhatsApp number" in (events[2].content.detail or "")
    assert events[2].wa_id == "US.13491208655302741918"
    assert events[3].content == Text(body="Hej! \u00c4r ni \u00f6ppna idag?")


def test_status_values_and_fields_wahub_has_no_state_for_yield_nothing() -> None:
    body = payload("status_read.json")
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "deleted"
    body["entry"][0]["changes"].append({"field": "phone_number_quality_update", "value": {"event": "ONBOARDING"}})

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
    ],
)
def test_a_body_that_is_not_metas_envelope_is_refused_with_a_precise_reason(untrusted_body: bytes, reason: str) -> None:
    with pytest.raises(MalformedWebhook) as refused:
        decoder.decode(untrusted_body)

    assert str(refused.value) == reason


def test_a_message_without_an_id_is_refused_naming_where_it_is() -> None:
    body = payload("text.json")
    del messages_of(body)[0]["id"]

    where = r"entry\[0\]\.changes\[0\]\.value\.messages\[0\]"
    with pytest.raises(MalformedWebhook, match=rf"missing required field `id` - at `{where}`"):
        post(body)


def test_a_timestamp_that_is_not_unix_seconds_is_refused() -> None:
    body = payload("status_sent.json")
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["timestamp"] = "yesterday"

    where = r"entry\[0\]\.changes\[0\]\.value\.statuses\[0\]\.timestamp"
    with pytest.raises(MalformedWebhook, match=rf"{where} is 'yesterday'"):
        post(body)


def test_a_template_change_without_entry_time_is_refused_rather_than_given_a_made_up_time() -> None:
    body = payload("template_quality_update.json")
    del body["entry"][0]["time"]

    with pytest.raises(MalformedWebhook, match=r"entry\[0\]\.time is missing"):
        post(body)
