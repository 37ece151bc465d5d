"""Reading Meta's send payload (`{"to", "type", <type>: {...}, "context"}`) back into domain content.

The inverse of what GraphCloudApi sends. Integrators post the same payloads to wahub's API, and
the simulator receives them as Meta would, so both read them here, once.
"""

from __future__ import annotations

from typing import Any

import msgspec

from domain.content import OUTBOUND_KINDS, OutboundContent
from domain.errors import InvalidContent
from domain.messages import ReplyContext


class UnsendableType(InvalidContent):
    """A `type` the Cloud API cannot send (Meta answers 131051)."""


class MissingTypeObject(InvalidContent):
    """The object named by `type` is absent (Meta answers 131008)."""


def content_from_payload(body: dict[str, Any]) -> OutboundContent:
    """Refuses with InvalidContent naming the field; WhatsApp's limits are checked later, by the domain."""
    kind = body.get("type", "text")
    if kind not in OUTBOUND_KINDS:
        raise UnsendableType(f"type {kind!r} cannot be sent; use one of {', '.join(sorted(OUTBOUND_KINDS))}")
    if kind not in body:
        raise MissingTypeObject(f"{kind} is required when type is {kind!r}")
    type_object = {"contacts": body[kind]} if kind == "contacts" else body[kind]
    if not isinstance(type_object, dict):
        raise InvalidContent(f"{kind} must be a JSON object")
    try:
        content: OutboundContent = msgspec.convert({**type_object, "kind": kind}, OutboundContent)
    except msgspec.ValidationError as error:
        raise InvalidContent(f"{kind}: {error}") from None
    return content


def context_from_payload(body: dict[str, Any]) -> ReplyContext | None:
    context = body.get("context")
    if context is None:
        return None
    if not isinstance(context, dict) or not isinstance(context.get("message_id"), str):
        raise InvalidContent("context must be an object with the message_id (a wamid) being replied to")
    return ReplyContext(message_id=context["message_id"])
