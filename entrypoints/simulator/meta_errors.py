"""Meta's error answers, byte for byte in shape: `{"error": {message, type, code, error_data, fbtrace_id}}`."""

from __future__ import annotations

import secrets
from typing import Any

import msgspec
from litestar import Request, Response


class MetaError(Exception):
    """Raised by a handler to answer exactly as the Graph API would."""

    def __init__(
        self,
        code: int,
        title: str,
        details: str,
        *,
        http_status: int = 400,
        subcode: int | None = None,
        type: str = "OAuthException",
    ) -> None:
        super().__init__(f"(#{code}) {title}")
        self.code = code
        self.title = title
        self.details = details
        self.http_status = http_status
        self.subcode = subcode
        self.type = type

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": f"(#{self.code}) {self.title}",
            "type": self.type,
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details},
            "fbtrace_id": fbtrace_id(),
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}

    def as_webhook_error(self) -> dict[str, Any]:
        """The shape inside `statuses[].errors[]`: message repeats the title."""
        return {
            "code": self.code,
            "title": self.title,
            "message": self.title,
            "error_data": {"details": self.details},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }


def fbtrace_id() -> str:
    return secrets.token_urlsafe(16)[:23]


def answer(error: MetaError) -> Response[bytes]:
    return Response(msgspec.json.encode(error.body()), status_code=error.http_status, media_type="application/json")


def handle_meta_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    assert isinstance(exc, MetaError)
    return answer(exc)


def invalid_parameter(details: str, code: int = 100) -> MetaError:
    return MetaError(code, "Invalid parameter", details)


def unknown_object(object_id: str, method: str) -> MetaError:
    """Meta's answer to an id it does not know or the token may not see."""
    return MetaError(
        100,
        f"Unsupported {method} request",
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation.",
        subcode=33,
        type="GraphMethodException",
    )


def bad_token() -> MetaError:
    return MetaError(
        190,
        "Invalid OAuth access token - Cannot parse access token",
        "The access token is missing, malformed, or not the one this number was set up with.",
        http_status=401,
    )


RE_ENGAGEMENT = MetaError(
    131047,
    "Re-engagement message",
    "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
)
MARKETING_LIMITED = MetaError(
    131049,
    "This message was not delivered to maintain healthy ecosystem engagement.",
    "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
)
NOT_ON_WHATSAPP = MetaError(
    131026,
    "Message undeliverable",
    "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.",
)
