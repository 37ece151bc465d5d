"""Meta's webhook POST body as msgspec Structs, mirroring the JSON Meta sends.

Tolerant on purpose: keys Meta adds later are skipped, and every key Meta may omit is optional,
so a new Graph version never makes wahub refuse a webhook. Every list of items (`entry[]`,
`changes[]`, `contacts[]`, `messages[]`, `statuses[]`) stays raw, so each item is read on its own
and an odd one is refused alone instead of failing its siblings; `changes[].value` differs by
`field` anyway, so it can only be read once the decoder knows which shape to expect.

The object under a message's `type` key decodes straight into the `domain.content` Struct of that
type: their field names mirror Meta's type objects by design, and a second copy here would drift.
See https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
"""

from __future__ import annotations

from typing import Literal

import msgspec

from domain.content import (
    Audio,
    Button,
    Contact,
    Document,
    Image,
    Interactive,
    Location,
    Order,
    Reaction,
    Sticker,
    Text,
    Video,
)
from domain.messages import Referral


class Change(msgspec.Struct, kw_only=True):
    field: str
    value: msgspec.Raw


class Entry(msgspec.Struct, kw_only=True):
    """`id` is the WABA id; `time` (unix seconds) comes with every field but `messages`.

    Both are optional here because only template events need them: a message change still reads
    without them, and a template change refuses itself when they are missing.
    """

    id: str | None = None
    changes: list[msgspec.Raw] = []
    time: int | None = None


class Envelope(msgspec.Struct, kw_only=True):
    object: Literal["whatsapp_business_account"]
    entry: list[msgspec.Raw]


class Metadata(msgspec.Struct, kw_only=True):
    phone_number_id: str
    display_phone_number: str | None = None


class Profile(msgspec.Struct, kw_only=True):
    name: str | None = None
    username: str | None = None


class ContactCard(msgspec.Struct, kw_only=True):
    """Who wrote (beside `messages[]`) or was written to (beside `statuses[]`, 2026).

    Matched to a message by `wa_id` or `user_id`; `wa_id` is `""` or absent when the user hides their number.
    """

    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    profile: Profile | None = None


class ErrorData(msgspec.Struct, kw_only=True):
    details: str | None = None


class WebhookError(msgspec.Struct, kw_only=True):
    """Meta's asynchronous error: on failed statuses, unsupported messages and value-level errors."""

    code: int
    title: str | None = None
    message: str | None = None
    error_data: ErrorData | None = None
    href: str | None = None


class ConversationOrigin(msgspec.Struct, kw_only=True):
    type: str | None = None


class ConversationWire(msgspec.Struct, kw_only=True):
    """The conversation a status's message opened or belongs to (omitted from v24 on, but for free entry points)."""

    id: str | None = None
    origin: ConversationOrigin | None = None
    expiration_timestamp: str | int | None = None


class ReferredProduct(msgspec.Struct, kw_only=True):
    catalog_id: str | None = None
    product_retailer_id: str | None = None


class MessageContext(msgspec.Struct, kw_only=True, rename={"sender": "from"}):
    """A reply's quoted message, a forward flag, or the product a customer asked about."""

    sender: str | None = None
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: ReferredProduct | None = None


class UnsupportedDetail(msgspec.Struct, kw_only=True):
    """What the customer really sent when Meta reports `type: unsupported` (e.g. `edit`, `poll`)."""

    type: str | None = None


class MessageHead(msgspec.Struct, kw_only=True, rename={"sender": "from"}):
    """The keys every inbound message has, read on their own when the rest of it does not decode.

    Since 2026 `from` (the phone number) is left out when the user hides it; `from_user_id` (the
    BSUID) is then the only name of the sender.
    """

    id: str
    timestamp: str | int
    type: str = "unknown"
    sender: str | None = None
    from_user_id: str | None = None
    from_parent_user_id: str | None = None


class SystemWire(msgspec.Struct, kw_only=True):
    """A notice about the customer: `user_changed_number` (new `wa_id`, new BSUID) or `user_changed_user_id`.

    Since August 2026 both name the BSUIDs left behind (`previous_user_id`, `previous_parent_user_id`)
    beside the new ones (`user_id`, `parent_user_id`): a number change regenerates the BSUID too.
    """

    body: str | None = None
    type: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    previous_user_id: str | None = None
    previous_parent_user_id: str | None = None


class EditWire(msgspec.Struct, kw_only=True):
    """A customer edited an earlier message: the new message, without its own id, sender or time."""

    original_message_id: str
    message: msgspec.Raw = msgspec.Raw(b"null")


class RevokeWire(msgspec.Struct, kw_only=True):
    original_message_id: str


class InboundMessage(MessageHead, kw_only=True):
    text: Text | None = None
    image: Image | None = None
    video: Video | None = None
    audio: Audio | None = None
    document: Document | None = None
    sticker: Sticker | None = None
    location: Location | None = None
    contacts: list[Contact] | None = None
    interactive: Interactive | None = None
    button: Button | None = None
    reaction: Reaction | None = None
    order: Order | None = None
    system: SystemWire | None = None
    edit: EditWire | None = None
    revoke: RevokeWire | None = None
    unsupported: UnsupportedDetail | None = None
    context: MessageContext | None = None
    referral: Referral | None = None
    errors: list[WebhookError] = []


class PricingWire(msgspec.Struct, kw_only=True):
    category: str | None = None
    type: str | None = None
    pricing_model: str | None = None
    billable: bool | None = None


class Status(msgspec.Struct, kw_only=True):
    """One outbound message's status; since 2026 `recipient_user_id` names the BSUID it went to.

    `recipient_id` is the phone number, or the BSUID for a send to one; it may be missing when the
    phone number is hidden.
    """

    id: str
    status: str
    timestamp: str | int
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    recipient_parent_user_id: str | None = None
    biz_opaque_callback_data: str | None = None
    conversation: ConversationWire | None = None
    pricing: PricingWire | None = None
    errors: list[WebhookError] = []


class MessagesValue(msgspec.Struct, kw_only=True):
    """`value` of field `messages`; value-level `errors[]` concern the change as a whole (no message or status)."""

    metadata: Metadata
    messaging_product: str = "whatsapp"
    contacts: list[msgspec.Raw] = []
    messages: list[msgspec.Raw] = []
    statuses: list[msgspec.Raw] = []
    errors: list[WebhookError] = []


class TemplateStatusValue(msgspec.Struct, kw_only=True):
    """`value` of field `message_template_status_update`; Meta's id is a JSON number."""

    event: str
    message_template_id: int | str
    message_template_name: str
    message_template_language: str
    reason: str | None = None


class TemplateQualityValue(msgspec.Struct, kw_only=True):
    """`value` of field `message_template_quality_update`."""

    new_quality_score: str
    message_template_id: int | str
    message_template_name: str
    message_template_language: str
