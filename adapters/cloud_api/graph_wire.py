"""Meta's Graph API bodies, as the Cloud API sends and answers them, and their mapping to our types.

These shapes belong to Meta and stay in the adapter; the domain keeps its own. Unknown fields are
ignored everywhere, since Meta adds fields without a version bump.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import msgspec

from application.ports import MediaUrl, PhoneNumberInfo, SendRequest
from domain.content import Contacts, kind_of
from domain.ids import PhoneNumberId
from domain.setup import TokenInfo
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateQuality, TemplateStatus


class SentContact(msgspec.Struct, frozen=True):
    input: str = ""
    wa_id: str = ""


class SentMessage(msgspec.Struct, frozen=True):
    id: str
    message_status: str | None = None


class SendAnswer(msgspec.Struct, frozen=True):
    messages: list[SentMessage]
    contacts: list[SentContact] = []
    messaging_product: str = "whatsapp"


class Success(msgspec.Struct, frozen=True):
    success: bool = False


class Created(msgspec.Struct, frozen=True):
    """The answer to a media upload or a template creation: the new object's id."""

    id: str
    status: TemplateStatus | None = None
    category: TemplateCategory | None = None


class MediaUrlAnswer(msgspec.Struct, frozen=True):
    url: str
    mime_type: str
    sha256: str
    file_size: int | str
    id: str = ""
    messaging_product: str = "whatsapp"

    def to_port(self) -> MediaUrl:
        """The reference types file_size as a string while Meta answers an int: accept both."""
        return MediaUrl(url=self.url, mime_type=self.mime_type, sha256=self.sha256, file_size=int(self.file_size))


class QualityScore(msgspec.Struct, frozen=True):
    score: TemplateQuality = TemplateQuality.UNKNOWN


class WireTemplate(msgspec.Struct, frozen=True, kw_only=True):
    """One template of a list answer: quality sits in `quality_score.score` on the wire."""

    name: str
    language: str
    category: TemplateCategory
    components: list[TemplateComponent] = []
    status: TemplateStatus = TemplateStatus.PENDING
    id: str | None = None
    parameter_format: str | None = None
    quality_score: QualityScore | None = None
    rejected_reason: str | None = None

    def to_domain(self) -> MessageTemplate:
        return MessageTemplate(
            name=self.name,
            language=self.language,
            category=self.category,
            components=self.components,
            parameter_format="named" if (self.parameter_format or "").lower() == "named" else "positional",
            status=self.status,
            quality=self.quality_score.score if self.quality_score else TemplateQuality.UNKNOWN,
            id=self.id,
            rejected_reason=self.rejected_reason,
        )


class Cursors(msgspec.Struct, frozen=True):
    before: str | None = None
    after: str | None = None


class Paging(msgspec.Struct, frozen=True):
    cursors: Cursors | None = None
    next: str | None = None


Item = TypeVar("Item")


class GraphPage(msgspec.Struct, Generic[Item], frozen=True):
    """One page of a Graph API edge (a WABA's templates, its phone numbers)."""

    data: list[Item] = []
    paging: Paging | None = None

    def after(self) -> str | None:
        """Meta leaves `next` out on the last page; the cursor says where the following page starts."""
        if self.paging is None or self.paging.next is None or self.paging.cursors is None:
            return None
        return self.paging.cursors.after


class Throughput(msgspec.Struct, frozen=True):
    level: str | None = None


class PhoneNumberAnswer(msgspec.Struct, frozen=True):
    id: str
    display_phone_number: str = ""
    verified_name: str = ""
    quality_rating: str = "UNKNOWN"
    code_verification_status: str | None = None
    name_status: str | None = None
    throughput: Throughput | None = None

    def to_port(self) -> PhoneNumberInfo:
        return PhoneNumberInfo(
            id=PhoneNumberId(self.id),
            display_phone_number=self.display_phone_number,
            verified_name=self.verified_name,
            quality_rating=self.quality_rating,
            code_verification_status=self.code_verification_status,
            name_status=self.name_status,
            throughput_level=None if self.throughput is None else self.throughput.level,
        )


class TokenData(msgspec.Struct, frozen=True):
    is_valid: bool = False
    app_id: str | None = None
    application: str | None = None
    expires_at: int = 0
    """Unix seconds; 0 means the token never expires."""
    scopes: list[str] = []

    def to_domain(self) -> TokenInfo:
        expires_at = None if self.expires_at == 0 else datetime.fromtimestamp(self.expires_at, UTC)
        return TokenInfo(is_valid=self.is_valid, app_id=self.app_id, application=self.application,
                         expires_at=expires_at, scopes=self.scopes)


class TokenAnswer(msgspec.Struct, frozen=True):
    data: TokenData


class SubscribedAppData(msgspec.Struct, frozen=True):
    id: str
    name: str | None = None


class SubscribedApp(msgspec.Struct, frozen=True):
    whatsapp_business_api_data: SubscribedAppData


class ErrorData(msgspec.Struct, frozen=True):
    details: str | None = None
    messaging_product: str | None = None


class GraphError(msgspec.Struct, frozen=True):
    """Meta's error object; template calls may answer `error_data` as a plain string."""

    code: int
    message: str = ""
    type: str | None = None
    error_data: ErrorData | str | None = None
    error_subcode: int | None = None
    fbtrace_id: str | None = None
    is_transient: bool | None = None
    error_user_msg: str | None = None


class ErrorAnswer(msgspec.Struct, frozen=True):
    error: GraphError


def send_body(request: SendRequest) -> dict[str, Any]:
    """Our content Structs mirror Meta's type objects: the Struct minus its tag goes under `type`."""
    kind = kind_of(request.content)
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": kind,
        kind: _type_object(request),
    }
    if request.to is not None:
        body["to"] = request.to
    else:
        body["recipient"] = request.recipient
    if request.context is not None and request.context.message_id:
        body["context"] = {"message_id": request.context.message_id}
    if request.callback_data is not None:
        body["biz_opaque_callback_data"] = request.callback_data
    return body


def _type_object(request: SendRequest) -> Any:
    """Meta wants the list of contacts itself under `contacts`, every other type an object."""
    if isinstance(request.content, Contacts):
        return msgspec.to_builtins(request.content.contacts)
    payload = msgspec.to_builtins(request.content)
    assert isinstance(payload, dict)
    payload.pop("kind", None)
    return payload


def template_body(template: MessageTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "parameter_format": template.parameter_format,
        "components": msgspec.to_builtins(template.components),
    }
