"""Message content, one Struct per WhatsApp message type, for both directions.

Field names mirror the type objects of Meta's Cloud API, so a Cloud API payload maps onto a Struct
by moving the object under its `type` key into a Struct tagged with `kind`. Sending limits are not
checked here but in `domain.sending_limits`: a customer's inbound message may legitimately exceed
what a business may send, and must never be refused.
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

import msgspec


class _Content(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag_field="kind"):
    pass


class Text(_Content, tag="text", frozen=True, kw_only=True):
    body: str
    preview_url: bool = False


class Image(_Content, tag="image", frozen=True, kw_only=True):
    id: str | None = None
    link: str | None = None
    caption: str | None = None
    mime_type: str | None = None
    sha256: str | None = None


class Video(_Content, tag="video", frozen=True, kw_only=True):
    id: str | None = None
    link: str | None = None
    caption: str | None = None
    mime_type: str | None = None
    sha256: str | None = None


class Audio(_Content, tag="audio", frozen=True, kw_only=True):
    id: str | None = None
    link: str | None = None
    voice: bool = False
    mime_type: str | None = None
    sha256: str | None = None


class Document(_Content, tag="document", frozen=True, kw_only=True):
    id: str | None = None
    link: str | None = None
    caption: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    sha256: str | None = None


class Sticker(_Content, tag="sticker", frozen=True, kw_only=True):
    id: str | None = None
    link: str | None = None
    animated: bool = False
    mime_type: str | None = None
    sha256: str | None = None


MediaContent = Image | Video | Audio | Document | Sticker


class Location(_Content, tag="location", frozen=True, kw_only=True):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ContactName(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    formatted_name: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None


class ContactPhone(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    phone: str | None = None
    type: str | None = None
    wa_id: str | None = None


class ContactEmail(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    email: str | None = None
    type: str | None = None


class ContactAddress(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


class ContactOrg(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    company: str | None = None
    department: str | None = None
    title: str | None = None


class ContactUrl(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    url: str | None = None
    type: str | None = None


class Contact(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    name: ContactName
    phones: list[ContactPhone] = []
    emails: list[ContactEmail] = []
    addresses: list[ContactAddress] = []
    org: ContactOrg | None = None
    urls: list[ContactUrl] = []
    birthday: str | None = None


class Contacts(_Content, tag="contacts", frozen=True, kw_only=True):
    contacts: list[Contact]


class InteractiveText(msgspec.Struct, frozen=True, kw_only=True):
    text: str


class MediaRef(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None = None
    link: str | None = None


class InteractiveHeader(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: Literal["text", "image", "video", "document"]
    text: str | None = None
    image: MediaRef | None = None
    video: MediaRef | None = None
    document: MediaRef | None = None


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str


class ReplyButton(msgspec.Struct, frozen=True, kw_only=True):
    reply: Reply
    type: Literal["reply"] = "reply"


class ListRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    title: str
    description: str | None = None


class ListSection(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    rows: list[ListRow]
    title: str | None = None


class CtaUrlParameters(msgspec.Struct, frozen=True, kw_only=True):
    display_text: str
    url: str


class InteractiveAction(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    buttons: list[ReplyButton] | None = None
    button: str | None = None
    sections: list[ListSection] | None = None
    name: str | None = None
    parameters: CtaUrlParameters | None = None


class ListReply(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    title: str
    description: str | None = None


class FlowReply(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    response_json: str
    name: str | None = None
    body: str | None = None


class Interactive(_Content, tag="interactive", frozen=True, kw_only=True):
    """Meta's interactive object: reply buttons, list, CTA URL out; button, list and flow replies in."""

    type: Literal["button", "list", "cta_url", "button_reply", "list_reply", "nfm_reply"]
    header: InteractiveHeader | None = None
    body: InteractiveText | None = None
    footer: InteractiveText | None = None
    action: InteractiveAction | None = None
    button_reply: Reply | None = None
    list_reply: ListReply | None = None
    nfm_reply: FlowReply | None = None


class Reaction(_Content, tag="reaction", frozen=True, kw_only=True):
    """An emoji on an earlier message; an empty emoji removes the reaction."""

    message_id: str
    emoji: str = ""


class TemplateLanguage(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    policy: str | None = None


class Currency(msgspec.Struct, frozen=True, kw_only=True):
    fallback_value: str
    code: str
    amount_1000: int


class DateTime(msgspec.Struct, frozen=True, kw_only=True):
    fallback_value: str


class MediaParameter(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None = None
    link: str | None = None
    filename: str | None = None


class LocationParameter(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


TemplateParameterType = Literal[
    "text", "currency", "date_time", "image", "video", "document", "location", "payload", "coupon_code", "action"
]


class TemplateParameter(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: TemplateParameterType
    parameter_name: str | None = None
    text: str | None = None
    currency: Currency | None = None
    date_time: DateTime | None = None
    image: MediaParameter | None = None
    video: MediaParameter | None = None
    document: MediaParameter | None = None
    location: LocationParameter | None = None
    payload: str | None = None
    coupon_code: str | None = None
    action: dict[str, object] | None = None


class TemplateComponentParameters(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: Literal["header", "body", "button"]
    parameters: list[TemplateParameter] = []
    sub_type: str | None = None
    index: int | None = None


class Template(_Content, tag="template", frozen=True, kw_only=True):
    """A send of an approved template, with the values for its placeholders."""

    name: str
    language: TemplateLanguage
    components: list[TemplateComponentParameters] = []


class Button(_Content, tag="button", frozen=True, kw_only=True):
    """The customer tapped a quick-reply button of a template message."""

    text: str
    payload: str | None = None


class ProductItem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    product_retailer_id: str
    quantity: int
    item_price: float
    currency: str


class Order(_Content, tag="order", frozen=True, kw_only=True):
    catalog_id: str
    product_items: list[ProductItem]
    text: str | None = None


class System(_Content, tag="system", frozen=True, kw_only=True):
    """A notice from WhatsApp about the customer, such as a changed number."""

    body: str
    type: str | None = None
    wa_id: str | None = None
    user_id: str | None = None


class RequestWelcome(_Content, tag="request_welcome", frozen=True, kw_only=True):
    """The customer opened the chat for the first time."""


class Unsupported(_Content, tag="unsupported", frozen=True, kw_only=True):
    """Anything WhatsApp or wahub cannot represent: kept, never dropped."""

    original_type: str
    detail: str | None = None


Content = (
    Text
    | Image
    | Video
    | Audio
    | Document
    | Sticker
    | Location
    | Contacts
    | Interactive
    | Reaction
    | Template
    | Button
    | Order
    | System
    | RequestWelcome
    | Unsupported
)

OutboundContent = Text | Image | Video | Audio | Document | Sticker | Location | Contacts | Interactive | Reaction | Template
"""What a business can send through the Cloud API."""

OUTBOUND_KINDS: frozenset[str] = frozenset(str(t.__struct_config__.tag) for t in get_args(OutboundContent))


def kind_of(content: Content) -> str:
    tag = content.__struct_config__.tag
    assert isinstance(tag, str)
    return tag


PREVIEW_LENGTH = 80


def preview(content: Content) -> str:
    """A one-line summary for conversation lists and notifications."""
    match content:
        case Text(body=body):
            text = body
        case Image(caption=c) | Video(caption=c) | Document(caption=c):
            text = f"[{kind_of(content)}] {c or ''}".strip()
        case Location(name=name, latitude=lat, longitude=lon):
            text = f"[location] {name or f'{lat}, {lon}'}"
        case Interactive(body=body, button_reply=button, list_reply=row):
            chosen = button or row
            text = chosen.title if chosen else (body.text if body else "[interactive]")
        case Reaction(emoji=emoji):
            text = f"[reaction] {emoji}"
        case Template(name=name):
            text = f"[template] {name}"
        case Button(text=label):
            text = label
        case System(body=body):
            text = body
        case Unsupported(original_type=original):
            text = f"[unsupported: {original}]"
        case _:
            text = f"[{kind_of(content)}]"
    return text[:PREVIEW_LENGTH]


def is_outbound(content: Content) -> TypeGuard[OutboundContent]:
    return isinstance(content, get_args(OutboundContent))
