"""Message templates: the only content Meta delivers outside the customer-service window.

Shapes mirror Meta's template-creation body (UPPERCASE component and button types). The creation
rules live here so a template is refused with a precise message before a round trip to Meta; the
send-side rules are in `domain.template_parameters`.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from datetime import datetime
from typing import Literal

import msgspec

from domain.errors import InvalidIdentifier, InvalidTemplate, PhoneNumberRequired


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
    status_at: datetime | None = None
    """Meta's time of the status webhook applied last: an older one arriving late changes nothing."""
    quality_at: datetime | None = None


PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
_NAME_CHARACTER = r"[a-z0-9_]"
TEMPLATE_NAME_PATTERN = _NAME_CHARACTER + r"{1,512}"
"""Meta's template names: lowercase letters, digits and underscores, at most 512 of them."""
_NAME = re.compile(_NAME_CHARACTER + "+")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_POSITIONAL = re.compile(r"[1-9][0-9]*")
_NAMED = re.compile(r"[a-z][a-z0-9_]*")
_ADJACENT = re.compile(r"\}\}\s*\{\{")
_AT_EDGE = re.compile(r"^\s*\{\{[^{}]*\}\}|\{\{[^{}]*\}\}\s*$")
_LABELLED_BUTTONS = frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER", "FLOW"})
_BUTTON_LIMITS = {"QUICK_REPLY": 10, "URL": 2, "PHONE_NUMBER": 1, "COPY_CODE": 1}


def placeholders(text: str) -> list[str]:
    """Meta marks a variable as `{{1}}` or `{{name}}`; the names inside, in order of appearance."""
    return PLACEHOLDER.findall(text)


def brace(name: str) -> str:
    return "{{" + name + "}}"


def with_status(
    template: MessageTemplate, status: TemplateStatus, reason: str | None, at: datetime
) -> MessageTemplate:
    """Apply `message_template_status_update`: Meta's reason only explains a rejection.

    Webhooks come in any order, so an update older than the one applied last is ignored.
    """
    if template.status_at is not None and at < template.status_at:
        return template
    kept = reason if status is TemplateStatus.REJECTED else None
    return msgspec.structs.replace(template, status=status, rejected_reason=kept, status_at=at)


def with_quality(template: MessageTemplate, quality: TemplateQuality, at: datetime) -> MessageTemplate:
    """Apply `message_template_quality_update`: RED quality is what gets a template paused."""
    if template.quality_at is not None and at < template.quality_at:
        return template
    return msgspec.structs.replace(template, quality=quality, quality_at=at)


_CODE_BUTTONS = frozenset({"OTP", "COPY_CODE"})
"""One-tap, zero-tap and copy-code buttons (OTP buttons are one of the three)."""


def check_sendable_to_bsuid(template: MessageTemplate) -> None:
    """Meta refuses these to a BSUID-only recipient with 131062: wahub refuses them before sending."""
    if template.category is not TemplateCategory.AUTHENTICATION:
        return
    buttons = [b for c in template.components for b in c.buttons or [] if b.type in _CODE_BUTTONS]
    if buttons:
        raise PhoneNumberRequired(
            f"template {template.name!r} is an authentication template with a {buttons[0].type} button, which "
            "Meta does not send to a business-scoped user id (131062); this customer's phone number is not known"
        )


def check_template_name(name: str) -> str:
    """A name as Meta allows it, for a template looked up or deleted by name (see TEMPLATE_NAME_PATTERN)."""
    if re.fullmatch(TEMPLATE_NAME_PATTERN, name) is None:
        raise InvalidIdentifier(
            f"{name!r} is not a template name: Meta's are 1 to 512 lowercase letters, digits and underscores"
        )
    return name


def validate_template(template: MessageTemplate) -> None:
    """Refuse what Meta would reject at creation (2388040, 2388047, 2388072, 2388073, 2388299...)."""
    if not _NAME.fullmatch(template.name):
        raise InvalidTemplate(
            f"template name {template.name!r} may hold only lowercase letters, digits and underscores"
        )
    _check_length("template name", template.name, 512)
    if not _LANGUAGE.fullmatch(template.language):
        raise InvalidTemplate(f"template language {template.language!r} is not a locale code like en, en_US or pt_BR")
    components = _components_by_type(template.components)
    _check_body(components["BODY"], template)
    if "HEADER" in components:
        _check_header(components["HEADER"], template.parameter_format)
    if "FOOTER" in components:
        _check_footer(components["FOOTER"])
    if "BUTTONS" in components:
        _check_buttons(components["BUTTONS"].buttons or [])


def _components_by_type(components: list[TemplateComponent]) -> dict[str, TemplateComponent]:
    counts = Counter(component.type for component in components)
    if counts["BODY"] != 1:
        raise InvalidTemplate(f"a template needs exactly one BODY component, got {counts['BODY']}")
    for kind, count in counts.items():
        if count > 1:
            raise InvalidTemplate(f"a template may have at most one {kind} component, got {count}")
    return {component.type: component for component in components}


def _check_length(field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise InvalidTemplate(f"{field} is {len(text)} characters; Meta allows at most {limit}")


def _check_body(body: TemplateComponent, template: MessageTemplate) -> None:
    text = body.text or ""
    if not text.strip():
        raise InvalidTemplate("body text is required")
    _check_length("body text", text, 1024)
    names = _placeholder_names("body", text, template.parameter_format)
    if _AT_EDGE.search(text):
        raise InvalidTemplate("body text may not start or end with a parameter; Meta rejects it (2388299)")
    example = body.example or TemplateExample()
    rows = example.body_text or [[]]
    _check_examples("body", names, template.parameter_format, rows[0], example.body_text_named_params)
    if template.category is TemplateCategory.AUTHENTICATION and len(names) != 1:
        raise InvalidTemplate(
            f"an AUTHENTICATION template's body has exactly one parameter, the code; this one has {len(names)}"
        )


def _check_header(header: TemplateComponent, parameter_format: str) -> None:
    if header.format is None:
        raise InvalidTemplate("header format is required: TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION")
    if header.format != "TEXT":
        return
    text = header.text or ""
    if not text.strip():
        raise InvalidTemplate("header text is required when the header format is TEXT")
    _check_length("header text", text, 60)
    names = _placeholder_names("header", text, parameter_format)
    if len(names) > 1:
        raise InvalidTemplate(f"header text has {len(names)} parameters; Meta allows at most 1")
    example = header.example or TemplateExample()
    _check_examples("header", names, parameter_format, example.header_text or [], example.header_text_named_params)


def _check_footer(footer: TemplateComponent) -> None:
    text = footer.text or ""
    if not text.strip():
        raise InvalidTemplate("footer text is required in a FOOTER component")
    _check_length("footer text", text, 60)
    if placeholders(text):
        raise InvalidTemplate("footer text may not contain parameters; Meta rejects them (2388073)")


def _placeholder_names(field: str, text: str, parameter_format: str) -> list[str]:
    """Meta numbers positional variables 1..n per component and names named ones in lower snake case."""
    names = list(dict.fromkeys(placeholders(text)))
    pattern, accepted = (_NAMED, "lower_snake_case names like {{first_name}}")
    if parameter_format == "positional":
        pattern, accepted = (_POSITIONAL, "numbers {{1}}, {{2}}, ...")
    for name in names:
        if not pattern.fullmatch(name):
            raise InvalidTemplate(
                f"{field} placeholder {brace(name)} does not fit parameter_format {parameter_format!r}, "
                f"which accepts only {accepted}; Meta refuses mixing the two formats"
            )
    if _ADJACENT.search(text):
        raise InvalidTemplate(f"{field} text has two adjacent parameters; Meta requires text between parameters")
    numbers = sorted(int(name) for name in names) if parameter_format == "positional" else []
    if numbers != list(range(1, len(numbers) + 1)):
        span = f"{brace('1')} to {brace(str(len(numbers)))}"
        raise InvalidTemplate(f"{field} placeholders are numbered {numbers}; Meta requires {span} without gaps")
    return names


def _check_examples(
    field: str, names: list[str], parameter_format: str, positional: list[str], named: list[NamedExample] | None
) -> None:
    """Meta reviews a template with its examples filled in, so every parameter needs one."""
    if parameter_format == "named":
        given = {example.param_name for example in named or []}
        missing = [name for name in names if name not in given]
        if missing:
            raise InvalidTemplate(
                f"{field} has no example for {brace(missing[0])} in example.{field}_text_named_params; "
                "Meta requires an example for every parameter"
            )
    elif len(positional) != len(names):
        raise InvalidTemplate(
            f"{field} has {len(names)} parameters but example.{field}_text gives {len(positional)} values; "
            "Meta requires an example for every parameter"
        )


def _check_buttons(buttons: list[TemplateButton]) -> None:
    if not buttons:
        raise InvalidTemplate("a BUTTONS component needs at least one button")
    if len(buttons) > 10:
        raise InvalidTemplate(f"template has {len(buttons)} buttons; Meta allows at most 10")
    counts: Counter[str] = Counter(button.type for button in buttons)
    for kind, limit in _BUTTON_LIMITS.items():
        if counts[kind] > limit:
            raise InvalidTemplate(f"template has {counts[kind]} {kind} buttons; Meta allows at most {limit}")
    quick = [index for index, button in enumerate(buttons) if button.type == "QUICK_REPLY"]
    if quick and quick[-1] - quick[0] + 1 != len(quick):
        order = ", ".join(button.type for button in buttons)
        raise InvalidTemplate(f"quick-reply buttons must be grouped together; Meta refuses the order {order}")
    for index, button in enumerate(buttons):
        _check_button(f"button {index} ({button.type})", button)


def _check_button(field: str, button: TemplateButton) -> None:
    if button.text is None and button.type in _LABELLED_BUTTONS:
        raise InvalidTemplate(f"{field} needs a text label")
    _check_length(f"{field} text", button.text or "", 25)
    if button.type == "URL":
        _check_url(field, button)
    if button.type == "PHONE_NUMBER":
        if not button.phone_number:
            raise InvalidTemplate(f"{field} needs a phone_number")
        _check_length(f"{field} phone_number", button.phone_number, 20)


def _check_url(field: str, button: TemplateButton) -> None:
    """Meta appends the send's suffix to the URL, so its one variable can only be at the end."""
    url = button.url or ""
    if not url:
        raise InvalidTemplate(f"{field} needs a url")
    _check_length(f"{field} url", url, 2000)
    variables = placeholders(url)
    if len(variables) > 1:
        raise InvalidTemplate(f"{field} url has {len(variables)} parameters; Meta allows at most 1")
    if variables and not url.endswith("}}"):
        raise InvalidTemplate(f"{field} url parameter must be at the end of the url")
    if variables and not button.example:
        raise InvalidTemplate(f"{field} url has a parameter but no example; Meta requires an example URL")
