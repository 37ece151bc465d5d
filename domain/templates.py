"""Message templates: the only content Meta delivers outside the customer-service window.

Shapes mirror Meta's template-creation body (UPPERCASE component and button types).
"""

from __future__ import annotations

import enum
from typing import Literal

import msgspec


class TemplateCategory(enum.StrEnum):
    MARKETING = "MARKETING"
    UTILITY = "UTILITY"
    AUTHENTICATION = "AUTHENTICATION"


class TemplateStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"
    IN_APPEAL = "IN_APPEAL"
    PENDING_DELETION = "PENDING_DELETION"
    DELETED = "DELETED"
    ARCHIVED = "ARCHIVED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    FLAGGED = "FLAGGED"
    LOCKED = "LOCKED"
    REINSTATED = "REINSTATED"


class TemplateQuality(enum.StrEnum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"
    UNKNOWN = "UNKNOWN"


class NamedExample(msgspec.Struct, frozen=True, kw_only=True):
    param_name: str
    example: str


class TemplateExample(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    header_text: list[str] | None = None
    header_text_named_params: list[NamedExample] | None = None
    header_handle: list[str] | None = None
    body_text: list[list[str]] | None = None
    body_text_named_params: list[NamedExample] | None = None


class TemplateButton(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: Literal["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "FLOW", "OTP"]
    text: str | None = None
    url: str | None = None
    phone_number: str | None = None
    example: list[str] | None = None


class TemplateComponent(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: Literal["HEADER", "BODY", "FOOTER", "BUTTONS"]
    format: Literal["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"] | None = None
    text: str | None = None
    example: TemplateExample | None = None
    buttons: list[TemplateButton] | None = None


class MessageTemplate(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A template as registered with Meta; one per (name, language)."""

    name: str
    language: str
    category: TemplateCategory
    components: list[TemplateComponent]
    parameter_format: Literal["positional", "named"] = "positional"
    status: TemplateStatus = TemplateStatus.PENDING
    quality: TemplateQuality = TemplateQuality.UNKNOWN
    id: str | None = None
    rejected_reason: str | None = None
