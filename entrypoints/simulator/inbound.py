"""Customer messages made through the control API, completed into what Meta's webhook carries.

The caller gives Meta's message shape without `id` and `timestamp`; media bytes become a media id
the business can download for 7 days, as with real inbound media.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

from domain.errors import MediaRejected
from domain.media import MediaKind, kind_for_mime
from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.meta_errors import invalid_parameter
from entrypoints.simulator.state import INBOUND_MEDIA_LIFETIME, new_wamid

INBOUND_TYPES = frozenset(
    {"text", "image", "video", "audio", "document", "sticker", "location", "contacts", "interactive",
     "button", "reaction", "order", "system", "request_welcome", "unsupported"}
)


class InboundMedia(msgspec.Struct, kw_only=True):
    data_base64: str
    mime_type: str


class InboundRequest(msgspec.Struct, kw_only=True):
    from_: str
    type: str
    name: str | None = None
    """The customer's WhatsApp profile name; without one the webhook carries none, as for a user who set none."""
    media: InboundMedia | None = None
    fields: dict[str, Any] = {}
    """Meta's type object and decorations, e.g. {"text": {"body": "Hi"}, "context": {"id": "wamid..."}}."""

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> InboundRequest:
        """`from`, `type`, `name` and `media` are ours; every other key goes into the message as given."""
        fields = {k: v for k, v in body.items() if k not in ("from", "type", "name", "media")}
        known = {"from_": body.get("from"), "type": body.get("type"), "name": body.get("name")}
        try:
            return msgspec.convert({**known, "media": body.get("media"), "fields": fields}, cls)
        except msgspec.ValidationError as error:
            raise invalid_parameter(f"inbound message: {error}") from None


def inbound_message(cloud: SimulatedCloud, request: InboundRequest) -> tuple[dict[str, Any], str | None]:
    if request.type not in INBOUND_TYPES:
        raise invalid_parameter(f"type must be one of {sorted(INBOUND_TYPES)}")
    message: dict[str, Any] = {
        "from": request.from_,
        "id": new_wamid(),
        "timestamp": str(int(cloud.now().timestamp())),
        "type": request.type,
        **request.fields,
    }
    media_id = _attach_media(cloud, request, message) if request.media else None
    if request.type == "unsupported":
        message["errors"] = [
            {"code": 131051, "title": "Message type unknown", "message": "Message type unknown",
             "error_data": {"details": "Message type is currently not supported."}}
        ]
    return message, media_id


def _attach_media(cloud: SimulatedCloud, request: InboundRequest, message: dict[str, Any]) -> str:
    assert request.media is not None
    try:
        data = base64.b64decode(request.media.data_base64, validate=True)
        kind = kind_for_mime(request.media.mime_type)
    except (binascii.Error, MediaRejected) as error:
        raise invalid_parameter(f"media: {error}") from None
    if request.type not in MediaKind.__members__.values() or kind != request.type:
        raise invalid_parameter(f"media of type {request.media.mime_type} cannot be a {request.type} message")
    stored = cloud.state.add_media(data, request.media.mime_type, cloud.now() + INBOUND_MEDIA_LIFETIME, None)
    type_object = dict(message.get(request.type) or {})
    type_object |= {"id": stored.id, "mime_type": stored.mime_type, "sha256": base64.b64encode(bytes.fromhex(stored.sha256)).decode()}
    message[request.type] = type_object
    return stored.id
