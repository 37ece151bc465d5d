"""Meta webhook bodies for use-case tests, built in Meta's documented envelope shape."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

BUSINESS_NUMBER_ID = "106540352242922"
OTHER_BUSINESS_NUMBER_ID = "106540352242999"
WABA_ID = "102290129340398"


ENTRY_TIME = 1772442000
"""Meta stamps entries of non-message fields (template updates) with an integer time."""


def envelope(*changes: dict[str, Any], waba_id: str = WABA_ID, time: int = ENTRY_TIME) -> bytes:
    entry = {"id": waba_id, "time": time, "changes": list(changes)}
    body = {"object": "whatsapp_business_account", "entry": [entry]}
    return json.dumps(body).encode()


def batched(*entries: list[dict[str, Any]]) -> bytes:
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": changes} for changes in entries],
    }
    return json.dumps(body).encode()


def messages_change(
    *,
    messages: list[dict[str, Any]] = (),  # type: ignore[assignment]
    statuses: list[dict[str, Any]] = (),  # type: ignore[assignment]
    phone_number_id: str = BUSINESS_NUMBER_ID,
    contacts: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if contacts:
        value["contacts"] = list(contacts)
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"field": "messages", "value": value}


def text_message(*, wamid: str, sender: str, body: str, at: datetime) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": _unix(at), "type": "text", "text": {"body": body}}


def contact(wa_id: str, name: str) -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}


def status(
    *,
    wamid: str,
    status: str,
    at: datetime,
    recipient: str,
    callback_data: str | None = None,
    error: tuple[int, str, str] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": _unix(at), "recipient_id": recipient}
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    if status in ("sent", "delivered"):
        item["pricing"] = {"billable": False, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"}
    if error is not None:
        code, title, details = error
        item["errors"] = [{"code": code, "title": title, "message": title, "error_data": {"details": details}}]
    return item


def template_status_change(*, template_id: int, name: str, language: str, event: str, reason: str = "NONE") -> dict[str, Any]:
    return {
        "field": "message_template_status_update",
        "value": {
            "event": event,
            "message_template_id": template_id,
            "message_template_name": name,
            "message_template_language": language,
            "reason": reason,
        },
    }


def _unix(at: datetime) -> str:
    return str(int(at.timestamp()))
