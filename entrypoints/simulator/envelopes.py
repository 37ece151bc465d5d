"""Meta's webhook envelope and the change values the simulator reports: statuses, messages, template reviews.

https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from domain.templates import MessageTemplate, TemplateQuality
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.meta_errors import MetaError
from entrypoints.simulator.state import SentMessage

Entry = dict[str, Any]


def serialise(entries: list[Entry]) -> bytes:
    """Meta escapes non-ASCII as \\uXXXX and signs exactly these bytes."""
    envelope = {"object": "whatsapp_business_account", "entry": entries}
    return json.dumps(envelope, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _metadata(config: SimulatorConfig) -> dict[str, str]:
    return {"display_phone_number": config.display_phone_number, "phone_number_id": config.phone_number_id}


def _messages_entry(config: SimulatorConfig, value: dict[str, Any]) -> Entry:
    value = {"messaging_product": "whatsapp", "metadata": _metadata(config), **value}
    return {"id": config.waba_id, "changes": [{"value": value, "field": "messages"}]}


def status_entry(
    config: SimulatorConfig, message: SentMessage, status: str, at: datetime, error: MetaError | None = None
) -> Entry:
    item: dict[str, Any] = {
        "id": message.wamid,
        "status": status,
        "timestamp": str(int(at.timestamp())),
        "recipient_id": message.to,
    }
    customer = message.customer
    if customer is not None and (status != "failed" or message.by_bsuid):
        item["recipient_user_id"] = customer.user_id
    if message.callback_data is not None:
        item["biz_opaque_callback_data"] = message.callback_data
    if status in ("sent", "delivered"):
        item |= _billing(message, status, at)
    if error is not None:
        item["errors"] = [error.as_webhook_error()]
    value: dict[str, Any] = {"statuses": [item]}
    if customer is not None and status != "failed":
        value["contacts"] = [customer.webhook_contact(with_username=status in ("delivered", "read"))]
    return _messages_entry(config, value)


def _billing(message: SentMessage, status: str, at: datetime) -> dict[str, Any]:
    """Pricing rides on `sent` and `delivered`; `conversation` only up to v23.0, as Meta dropped it in v24."""
    category = message.template_category or "service"
    billing: dict[str, Any] = {
        "pricing": {
            "billable": message.billable,
            "pricing_model": "PMP",
            "type": "regular" if message.billable else "free_customer_service",
            "category": category,
        }
    }
    if _major(message.version) <= 23:
        conversation: dict[str, Any] = {"id": uuid.uuid5(uuid.NAMESPACE_URL, message.wamid).hex, "origin": {"type": category}}
        if status == "sent":
            conversation["expiration_timestamp"] = str(int((at + timedelta(hours=24)).timestamp()))
        billing["conversation"] = conversation
    return billing


def _major(version: str) -> int:
    digits = version.lstrip("v").split(".")[0]
    return int(digits) if digits.isdigit() else 0


def inbound_entry(config: SimulatorConfig, message: dict[str, Any], contact: dict[str, Any] | None) -> Entry:
    value: dict[str, Any] = {"messages": [message]}
    if contact is not None:
        value = {"contacts": [contact], **value}
    return _messages_entry(config, value)


def template_status_entry(config: SimulatorConfig, template: MessageTemplate, at: datetime) -> Entry:
    value = {
        "event": str(template.status),
        "message_template_id": int(template.id or 0),
        "message_template_name": template.name,
        "message_template_language": template.language,
        "message_template_category": str(template.category),
        "reason": template.rejected_reason or "NONE",
    }
    return {
        "id": config.waba_id,
        "time": int(at.timestamp()),
        "changes": [{"value": value, "field": "message_template_status_update"}],
    }


def template_quality_entry(
    config: SimulatorConfig, template: MessageTemplate, previous: TemplateQuality, at: datetime
) -> Entry:
    """`message_template_quality_update`: Meta rated the template's quality from how customers received it."""
    value = {
        "previous_quality_score": str(previous),
        "new_quality_score": str(template.quality),
        "message_template_id": int(template.id or 0),
        "message_template_name": template.name,
        "message_template_language": template.language,
    }
    return {
        "id": config.waba_id,
        "time": int(at.timestamp()),
        "changes": [{"value": value, "field": "message_template_quality_update"}],
    }
