import math
import re

import msgspec
import pytest

from domain.content import (
    Audio,
    Contact,
    ContactName,
    Contacts,
    CtaUrlParameters,
    Document,
    Image,
    Interactive,
    InteractiveAction,
    InteractiveHeader,
    InteractiveText,
    ListRow,
    ListSection,
    Location,
    MediaRef,
    OutboundContent,
    Reaction,
    Reply,
    ReplyButton,
    Sticker,
    Template,
    TemplateLanguage,
    Text,
    Video,
)
from domain.errors import InvalidContent
from domain.messages import ReplyContext
from domain.sending_limits import SENDING_LIMITS, check_sendable

WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"


def refusal(content: OutboundContent, context: ReplyContext | None = None) -> str:
    with pytest.raises(InvalidContent) as raised:
        check_sendable(content, context)
    return str(raised.value)


def buttons(*titles: str) -> Interactive:
    return Interactive(
        type="button",
        body=InteractiveText(text="Reschedule?"),
        action=InteractiveAction(
            buttons=[ReplyButton(reply=Reply(id=f"b{i}", title=title)) for i, title in enumerate(titles)]
        ),
    )


def one_button(id: str = "yes", title: str = "Yes") -> Interactive:
    return Interactive(
        type="button",
        body=InteractiveText(text="Reschedule?"),
        action=InteractiveAction(buttons=[ReplyButton(reply=Reply(id=id, title=title))]),
    )


def a_list(*sections: ListSection, button: str = "Pick a slot", body: str = "When suits you?") -> Interactive:
    return Interactive(
        type="list",
        body=InteractiveText(text=body),
        action=InteractiveAction(button=button, sections=list(sections) or [rows(1)]),
    )


def rows(count: int, title: str | None = None, prefix: str = "r") -> ListSection:
    return ListSection(title=title, rows=[ListRow(id=f"{prefix}{i}", title=f"Slot {i}") for i in range(count)])


def cta(display_text: str = "Track order", url: str = "https://shop.example/orders/42", name: str = "cta_url") -> Interactive:
    return Interactive(
        type="cta_url",
        body=InteractiveText(text="Your order shipped"),
        action=InteractiveAction(name=name, parameters=CtaUrlParameters(display_text=display_text, url=url)),
    )


# --- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 4096])
def test_text_body_within_1_to_4096_characters_is_sendable(length: int) -> None:
    check_sendable(Text(body="x" * length))


def test_text_body_over_4096_characters_is_refused() -> None:
    assert refusal(Text(body="x" * 4097)) == "text.body is 4097 characters; WhatsApp allows at most 4096"


def test_empty_text_body_is_refused() -> None:
    assert refusal(Text(body="")) == "text.body is 0 characters; WhatsApp needs at least 1 character"


def test_text_length_counts_characters_not_bytes() -> None:
    check_sendable(Text(body="é" * 4096))


# --- media --------------------------------------------------------------------------------------

MEDIA = [Image, Video, Audio, Document, Sticker]


@pytest.mark.parametrize("media", MEDIA)
@pytest.mark.parametrize("source", [{"id": "1013859600285441"}, {"link": "https://cdn.example/a.bin"}, {"link": "http://cdn.example/a"}])
def test_media_with_exactly_one_of_id_or_link_is_sendable(media: type[OutboundContent], source: dict[str, str]) -> None:
    check_sendable(msgspec.convert({**source}, media))


@pytest.mark.parametrize("media", MEDIA)
@pytest.mark.parametrize(
    ("source", "got"), [({"id": "1013859600285441", "link": "https://cdn.example/a"}, "both"), ({}, "neither"), ({"id": ""}, "neither")]
)
def test_media_needs_exactly_one_of_id_or_link(media: type[OutboundContent], source: dict[str, str], got: str) -> None:
    kind = media.__struct_config__.tag
    assert refusal(msgspec.convert(source, media)) == f"{kind}: give exactly one of id (an uploaded media id) or link, got {got}"


@pytest.mark.parametrize("link", ["ftp://cdn.example/a.jpg", "file:///etc/passwd", "cdn.example/a.jpg", "https://", "http://[::1"])
def test_media_link_must_be_http_or_https(link: str) -> None:
    assert refusal(Image(link=link)) == (
        f"image.link {link!r} is not an http(s) URL; WhatsApp accepts only http:// and https:// links"
    )


@pytest.mark.parametrize("media", [Image, Video, Document])
def test_caption_of_1024_characters_is_sendable(media: type[Image | Video | Document]) -> None:
    check_sendable(media(id="1013859600285441", caption="c" * 1024))


@pytest.mark.parametrize("media", [Image, Video, Document])
def test_caption_over_1024_characters_is_refused(media: type[Image | Video | Document]) -> None:
    kind = media.__struct_config__.tag
    assert refusal(media(id="1013859600285441", caption="c" * 1025)) == (
        f"{kind}.caption is 1025 characters; WhatsApp allows at most 1024"
    )


@pytest.mark.parametrize("media", [Audio, Sticker])
def test_audio_and_stickers_take_no_caption(media: type[Audio | Sticker]) -> None:
    assert "caption" not in media.__struct_fields__


def test_document_filename_is_optional() -> None:
    check_sendable(Document(id="1013859600285441"))
    check_sendable(Document(id="1013859600285441", filename="invoice-42.pdf"))


# --- location -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("latitude", "longitude"), [(-90, -180), (90, 180), (0, 0), (48.8584, 2.2945)])
def test_location_within_the_globe_is_sendable(latitude: float, longitude: float) -> None:
    check_sendable(Location(latitude=latitude, longitude=longitude))


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        (90.0001, 0, "location.latitude is 90.0001; WhatsApp allows -90 to 90 degrees"),
        (-90.0001, 0, "location.latitude is -90.0001; WhatsApp allows -90 to 90 degrees"),
        (0, 180.0001, "location.longitude is 180.0001; WhatsApp allows -180 to 180 degrees"),
        (0, -180.0001, "location.longitude is -180.0001; WhatsApp allows -180 to 180 degrees"),
        (math.nan, 0, "location.latitude is nan; WhatsApp allows -90 to 90 degrees"),
    ],
)
def test_location_off_the_globe_is_refused(latitude: float, longitude: float, message: str) -> None:
    assert refusal(Location(latitude=latitude, longitude=longitude)) == message


# --- contacts -----------------------------------------------------------------------------------


def contacts(count: int, formatted_name: str = "Ada Lovelace") -> Contacts:
    return Contacts(contacts=[Contact(name=ContactName(formatted_name=formatted_name))] * count)


@pytest.mark.parametrize("count", [1, 257])
def test_1_to_257_contacts_are_sendable(count: int) -> None:
    check_sendable(contacts(count))


@pytest.mark.parametrize(
    ("count", "message"),
    [(0, "contacts: at least 1 contact, got 0"), (258, "contacts: at most 257 contacts, got 258")],
)
def test_contacts_outside_1_to_257_are_refused(count: int, message: str) -> None:
    assert refusal(contacts(count)) == message


@pytest.mark.parametrize("formatted_name", ["", "   "])
def test_every_contact_needs_a_formatted_name(formatted_name: str) -> None:
    assert refusal(contacts(2, formatted_name)) == (
        "contacts[0].name.formatted_name is empty; WhatsApp needs a formatted name for every contact"
    )


# --- interactive: common ------------------------------------------------------------------------


@pytest.mark.parametrize("inbound_type", ["button_reply", "list_reply", "nfm_reply"])
def test_inbound_only_interactive_types_are_refused(inbound_type: str) -> None:
    content = msgspec.structs.replace(one_button(), type=inbound_type)

    assert refusal(content) == (
        f"interactive.type {inbound_type!r} is what a customer's reply carries and cannot be sent; "
        "a business sends button, list, cta_url"
    )


@pytest.mark.parametrize("content", [one_button(), a_list(), cta()])
def test_interactive_body_is_required(content: Interactive) -> None:
    assert refusal(msgspec.structs.replace(content, body=None)) == (
        f"interactive.body is missing; WhatsApp needs body text on a {content.type} message"
    )


@pytest.mark.parametrize("content", [one_button(), a_list(), cta()])
def test_interactive_action_is_required(content: Interactive) -> None:
    assert refusal(msgspec.structs.replace(content, action=None)) == (
        f"interactive.action is missing; a {content.type} message needs one"
    )


@pytest.mark.parametrize(("content", "most"), [(one_button(), 1024), (cta(), 1024), (a_list(), 4096)])
def test_interactive_body_limit_depends_on_the_type(content: Interactive, most: int) -> None:
    check_sendable(msgspec.structs.replace(content, body=InteractiveText(text="b" * most)))

    assert refusal(msgspec.structs.replace(content, body=InteractiveText(text="b" * (most + 1)))) == (
        f"interactive.body.text is {most + 1} characters; WhatsApp allows at most {most}"
    )


def test_empty_interactive_body_is_refused() -> None:
    assert refusal(msgspec.structs.replace(one_button(), body=InteractiveText(text=""))) == (
        "interactive.body.text is 0 characters; WhatsApp needs at least 1 character"
    )


@pytest.mark.parametrize("content", [one_button(), a_list(), cta()])
def test_header_text_of_60_characters_is_sendable_and_61_refused(content: Interactive) -> None:
    check_sendable(msgspec.structs.replace(content, header=InteractiveHeader(type="text", text="h" * 60)))

    assert refusal(msgspec.structs.replace(content, header=InteractiveHeader(type="text", text="h" * 61))) == (
        "interactive.header.text is 61 characters; WhatsApp allows at most 60"
    )


def test_text_header_needs_its_text() -> None:
    assert refusal(msgspec.structs.replace(one_button(), header=InteractiveHeader(type="text"))) == (
        "interactive.header.text is 0 characters; WhatsApp needs at least 1 character"
    )


@pytest.mark.parametrize("content", [one_button(), a_list(), cta()])
def test_footer_of_60_characters_is_sendable_and_61_refused(content: Interactive) -> None:
    check_sendable(msgspec.structs.replace(content, footer=InteractiveText(text="f" * 60)))

    assert refusal(msgspec.structs.replace(content, footer=InteractiveText(text="f" * 61))) == (
        "interactive.footer.text is 61 characters; WhatsApp allows at most 60"
    )


@pytest.mark.parametrize("content", [one_button(), cta()])
@pytest.mark.parametrize("media", ["image", "video", "document"])
def test_button_and_cta_url_take_a_media_header(content: Interactive, media: str) -> None:
    header = msgspec.convert({"type": media, media: {"id": "1013859600285441"}}, InteractiveHeader)

    check_sendable(msgspec.structs.replace(content, header=header))


def test_media_header_needs_its_media_object() -> None:
    assert refusal(msgspec.structs.replace(one_button(), header=InteractiveHeader(type="image"))) == (
        "interactive.header.image is missing; a header of type image needs it"
    )


def test_media_header_needs_exactly_one_of_id_or_link() -> None:
    header = InteractiveHeader(type="video", video=MediaRef(id="1013859600285441", link="https://cdn.example/v.mp4"))

    assert refusal(msgspec.structs.replace(cta(), header=header)) == (
        "interactive.header.video: give exactly one of id (an uploaded media id) or link, got both"
    )


def test_list_header_must_be_text() -> None:
    header = InteractiveHeader(type="image", image=MediaRef(id="1013859600285441"))

    assert refusal(msgspec.structs.replace(a_list(), header=header)) == (
        "interactive.header.type is 'image'; a list message takes only a text header"
    )


# --- interactive: reply buttons -----------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_1_to_3_reply_buttons_are_sendable(count: int) -> None:
    check_sendable(buttons(*[f"Option {i}" for i in range(count)]))


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (0, "interactive.action.buttons: at least 1 reply button, got 0"),
        (4, "interactive.action.buttons: at most 3 reply buttons, got 4"),
    ],
)
def test_reply_buttons_outside_1_to_3_are_refused(count: int, message: str) -> None:
    assert refusal(buttons(*[f"Option {i}" for i in range(count)])) == message


def test_reply_buttons_missing_from_the_action_are_refused() -> None:
    content = msgspec.structs.replace(one_button(), action=InteractiveAction())

    assert refusal(content) == "interactive.action.buttons: at least 1 reply button, got 0"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("t" * 21, "interactive.action.buttons[0].reply.title is 21 characters; WhatsApp allows at most 20"),
        ("", "interactive.action.buttons[0].reply.title is 0 characters; WhatsApp needs at least 1 character"),
    ],
)
def test_reply_button_title_outside_1_to_20_characters_is_refused(title: str, message: str) -> None:
    check_sendable(one_button(title="t" * 20))

    assert refusal(one_button(title=title)) == message


@pytest.mark.parametrize(
    ("id", "message"),
    [
        ("i" * 257, "interactive.action.buttons[0].reply.id is 257 characters; WhatsApp allows at most 256"),
        ("", "interactive.action.buttons[0].reply.id is 0 characters; WhatsApp needs at least 1 character"),
    ],
)
def test_reply_button_id_outside_1_to_256_characters_is_refused(id: str, message: str) -> None:
    check_sendable(one_button(id="i" * 256))

    assert refusal(one_button(id=id)) == message


def test_reply_button_titles_must_be_unique() -> None:
    assert refusal(buttons("Yes", "No", "Yes")) == (
        "interactive.action.buttons[2].reply.title 'Yes' repeats interactive.action.buttons[0].reply.title; "
        "WhatsApp needs reply button titles to be unique"
    )


# --- interactive: list --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "message"),
    [
        ("b" * 21, "interactive.action.button is 21 characters; WhatsApp allows at most 20"),
        ("", "interactive.action.button is 0 characters; WhatsApp needs at least 1 character"),
    ],
)
def test_list_button_label_outside_1_to_20_characters_is_refused(button: str, message: str) -> None:
    check_sendable(a_list(button="b" * 20))

    assert refusal(a_list(button=button)) == message


def test_list_sections_up_to_10_are_sendable() -> None:
    check_sendable(a_list(*[rows(1, title=f"Day {i}", prefix=f"d{i}-") for i in range(10)]))


@pytest.mark.parametrize(
    ("count", "message"),
    [(0, "interactive.action.sections: at least 1 section, got 0"), (11, "interactive.action.sections: at most 10 sections, got 11")],
)
def test_list_sections_outside_1_to_10_are_refused(count: int, message: str) -> None:
    sections = [rows(1, title=f"Day {i}", prefix=f"d{i}-") for i in range(count)]
    content = msgspec.structs.replace(a_list(), action=InteractiveAction(button="Pick", sections=sections))

    assert refusal(content) == message


def test_ten_rows_in_total_across_sections_are_sendable() -> None:
    check_sendable(a_list(rows(6, title="Mon", prefix="m"), rows(4, title="Tue", prefix="t")))


def test_more_than_ten_rows_in_total_across_sections_are_refused() -> None:
    content = a_list(rows(6, title="Mon", prefix="m"), rows(5, title="Tue", prefix="t"))

    assert refusal(content) == "interactive.action.sections: at most 10 rows in total across all sections, got 11"


def test_a_list_section_needs_at_least_one_row() -> None:
    assert refusal(a_list(rows(0))) == "interactive.action.sections[0].rows: at least 1 row, got 0"


def row_list(id: str = "r0", title: str = "Slot", description: str | None = None) -> Interactive:
    return a_list(ListSection(rows=[ListRow(id=id, title=title, description=description)]))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"id": "i" * 201}, "interactive.action.sections[0].rows[0].id is 201 characters; WhatsApp allows at most 200"),
        ({"id": ""}, "interactive.action.sections[0].rows[0].id is 0 characters; WhatsApp needs at least 1 character"),
        ({"title": "t" * 25}, "interactive.action.sections[0].rows[0].title is 25 characters; WhatsApp allows at most 24"),
        ({"title": ""}, "interactive.action.sections[0].rows[0].title is 0 characters; WhatsApp needs at least 1 character"),
        (
            {"description": "d" * 73},
            "interactive.action.sections[0].rows[0].description is 73 characters; WhatsApp allows at most 72",
        ),
    ],
)
def test_list_row_fields_over_their_limits_are_refused(row: dict[str, str], message: str) -> None:
    check_sendable(row_list(id="i" * 200, title="t" * 24, description="d" * 72))

    assert refusal(row_list(**row)) == message


def test_list_row_description_is_optional() -> None:
    check_sendable(row_list(description=None))


def test_a_single_section_needs_no_title() -> None:
    check_sendable(a_list(rows(3)))


def test_every_section_needs_a_title_when_there_are_several() -> None:
    content = a_list(rows(2, title="Mon", prefix="m"), rows(2, prefix="t"))

    assert refusal(content) == (
        "interactive.action.sections[1].title is missing; WhatsApp needs a title on every section of a list with several"
    )


def test_section_title_of_24_characters_is_sendable_and_25_refused() -> None:
    check_sendable(a_list(rows(1, title="s" * 24)))

    assert refusal(a_list(rows(1, title="s" * 25))) == (
        "interactive.action.sections[0].title is 25 characters; WhatsApp allows at most 24"
    )


def test_list_row_ids_must_be_unique_across_sections() -> None:
    content = a_list(rows(2, title="Mon"), rows(2, title="Tue"))

    assert refusal(content) == (
        "interactive.action.sections[1].rows[0].id 'r0' repeats interactive.action.sections[0].rows[0].id; "
        "WhatsApp needs list row ids to be unique"
    )


# --- interactive: call-to-action URL ------------------------------------------------------------


def test_cta_url_display_text_of_20_characters_is_sendable_and_21_refused() -> None:
    check_sendable(cta(display_text="d" * 20))

    assert refusal(cta(display_text="d" * 21)) == (
        "interactive.action.parameters.display_text is 21 characters; WhatsApp allows at most 20"
    )


def test_cta_url_action_must_be_named_cta_url() -> None:
    assert refusal(cta(name="send_location")) == (
        "interactive.action.name is 'send_location'; a cta_url message needs 'cta_url'"
    )


def test_cta_url_needs_its_parameters() -> None:
    content = msgspec.structs.replace(cta(), action=InteractiveAction(name="cta_url"))

    assert refusal(content) == "interactive.action.parameters is missing; a cta_url message needs display_text and url"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "mailto:help@shop.example", "shop.example/orders/42"])
def test_cta_url_must_be_http_or_https(url: str) -> None:
    assert refusal(cta(url=url)) == (
        f"interactive.action.parameters.url {url!r} is not an http(s) URL; WhatsApp accepts only http:// and https:// links"
    )


# --- reaction, reply context, template ----------------------------------------------------------


@pytest.mark.parametrize("emoji", ["\N{THUMBS UP SIGN}", ""])
def test_reaction_to_a_wamid_is_sendable(emoji: str) -> None:
    check_sendable(Reaction(message_id=WAMID, emoji=emoji))


@pytest.mark.parametrize("message_id", ["", "msg_0123456789abcdef0123456789abcdef", "HBgLMTY1"])
def test_reaction_needs_the_wamid_it_reacts_to(message_id: str) -> None:
    assert re.fullmatch(
        rf"reaction\.message_id: {re.escape(repr(message_id))} is not a WhatsApp message id: .*",
        refusal(Reaction(message_id=message_id, emoji="\N{THUMBS UP SIGN}")),
    )


def test_a_reaction_cannot_quote_a_message() -> None:
    assert refusal(Reaction(message_id=WAMID, emoji="\N{THUMBS UP SIGN}"), ReplyContext(message_id=WAMID)) == (
        "context: a reaction cannot quote a message; it already points at reaction.message_id"
    )


def test_a_reply_quoting_a_wamid_is_sendable() -> None:
    check_sendable(Text(body="Yes, 3 pm works"), ReplyContext(message_id=WAMID))


def test_a_reply_context_needs_the_quoted_message_id() -> None:
    assert refusal(Text(body="Yes"), ReplyContext()) == (
        "context.message_id is missing; a reply needs the wamid of the message it quotes"
    )


@pytest.mark.parametrize("message_id", ["", "not-a-wamid"])
def test_a_reply_context_must_quote_a_wamid(message_id: str) -> None:
    message = refusal(Text(body="Yes"), ReplyContext(message_id=message_id))

    assert message.startswith(f"context.message_id: {message_id!r} is not a WhatsApp message id")


def template(name: str = "order_confirmation", code: str = "en_US") -> Template:
    return Template(name=name, language=TemplateLanguage(code=code))


def test_template_with_name_and_language_is_sendable() -> None:
    check_sendable(template())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (template(name=""), "template.name is empty; WhatsApp needs the name of an approved template"),
        (template(code=" "), "template.language.code is empty; WhatsApp needs the template's language code, e.g. en_US"),
    ],
)
def test_template_needs_name_and_language_code(content: Template, message: str) -> None:
    assert refusal(content) == message


# --- the published limits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "least", "most"),
    [
        ("text.body", 1, 4096),
        ("image.caption", 0, 1024),
        ("contacts", 1, 257),
        ("button.action.buttons", 1, 3),
        ("list.body.text", 1, 4096),
        ("list.action.sections[].rows", 1, 10),
        ("cta_url.action.parameters.display_text", 1, 20),
    ],
)
def test_limits_are_published_by_field_for_other_code_to_quote(field: str, least: int, most: int) -> None:
    limit = SENDING_LIMITS[field]

    assert (limit.least, limit.most) == (least, most)
