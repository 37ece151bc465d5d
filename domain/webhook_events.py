"""What one webhook POST tells wahub, once Meta's envelope has been decoded at the edge.

A POST may carry many entries, changes, messages and statuses; each becomes one event here,
routed by the business phone number it concerns. An item that cannot be read becomes an
UndecodableItem in its place, so one odd item never costs the POST its other events.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.content import Content
from domain.customers import CustomerIdentity
from domain.ids import PhoneNumberId, WabaId, Wamid
from domain.messages import Pricing, Referral, ReplyContext
from domain.status import StatusEvent


class InboundMessageReceived(msgspec.Struct, frozen=True, kw_only=True, tag="inbound_message"):
    phone_number_id: PhoneNumberId
    wamid: Wamid
    identity: CustomerIdentity
    """Who wrote: a phone number, a BSUID or both (the decoder never yields neither)."""
    at: datetime
    content: Content
    customer_name: str | None = None
    context: ReplyContext | None = None
    referral: Referral | None = None


class StatusReported(msgspec.Struct, frozen=True, kw_only=True, tag="status"):
    phone_number_id: PhoneNumberId
    wamid: Wamid
    recipient: str
    event: StatusEvent
    pricing: Pricing | None = None
    callback_data: str | None = None


class TemplateStatusChanged(msgspec.Struct, frozen=True, kw_only=True, tag="template_status"):
    waba_id: WabaId
    template_id: str
    name: str
    language: str
    status: str
    at: datetime
    reason: str | None = None


class TemplateQualityChanged(msgspec.Struct, frozen=True, kw_only=True, tag="template_quality"):
    waba_id: WabaId
    template_id: str
    name: str
    language: str
    quality: str
    at: datetime


class UndecodableItem(msgspec.Struct, frozen=True, kw_only=True, tag="undecodable"):
    """An item of the POST that could not be read, reported so operators see it while its siblings apply.

    `path` locates it from the top of the POST (`entry[0].changes[1].value.statuses[3]`), so the raw
    body kept in the inbox shows what Meta sent; `phone_number_id` is the business number when its
    change named one that could be read.
    """

    path: str
    reason: str
    phone_number_id: PhoneNumberId | None = None


WebhookEvent = (
    InboundMessageReceived | StatusReported | TemplateStatusChanged | TemplateQualityChanged | UndecodableItem
)
