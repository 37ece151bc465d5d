"""Each inbound message type Meta sends becomes its domain content, with who sent it, when and why."""

from __future__ import annotations

import json

import pytest

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
from domain.messages import Referral, ReplyContext
from tests.unit.cloud_api.webhook_payloads import OUR_TEMPLATE_MESSAGE, SHEENA, SHOP_NUMBER, at, the_message


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
    assert message.identity.wa_id == SHEENA
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
