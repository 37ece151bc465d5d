"""What a template send must carry, checked before Meta fails it, and the text the customer would read.

Meta matches a send's parameters to placeholders by position (`{{1}}`...) or by `parameter_name`
(`{{first_name}}`), per component; a send that does not fit is failed with 132000 (count) or 132012
(format), and a template that is not APPROVED with 132001.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from domain.content import MediaParameter, Template, TemplateComponentParameters, TemplateParameter
from domain.errors import TemplateNotSendable, TemplateParametersMismatch
from domain.templates import PLACEHOLDER, MessageTemplate, TemplateButton, TemplateStatus, brace, placeholders

MediaKind = Literal["image", "video", "document", "location"]

_MEDIA: dict[str, MediaKind] = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document", "LOCATION": "location"}
_TEXT_TYPES = frozenset({"text", "currency", "date_time"})
_BUTTON_SENDS: dict[str, tuple[frozenset[str], str]] = {
    "url": (frozenset({"URL", "OTP"}), "text"),
    "quick_reply": (frozenset({"QUICK_REPLY"}), "payload"),
    "copy_code": (frozenset({"COPY_CODE"}), "coupon_code"),
    "flow": (frozenset({"FLOW"}), "action"),
}
_DISPLAY_ORDER = {"HEADER": 0, "BODY": 1, "FOOTER": 2, "BUTTONS": 3}


class ExpectedParameters(msgspec.Struct, frozen=True, kw_only=True):
    """The parameters a send of one template must (or may) carry, component by component."""

    named: bool
    header_text: tuple[str, ...] = ()
    header_media: MediaKind | None = None
    body: tuple[str, ...] = ()
    url_suffix_buttons: frozenset[int] = frozenset()
    quick_reply_buttons: frozenset[int] = frozenset()
    copy_code_buttons: frozenset[int] = frozenset()


def expected_parameters(template: MessageTemplate) -> ExpectedParameters:
    """Authentication OTP buttons take the code as a URL suffix, like dynamic URL buttons."""
    components = {component.type: component for component in template.components}
    header = components.get("HEADER")
    body = components.get("BODY")
    buttons = _buttons(template)
    return ExpectedParameters(
        named=template.parameter_format == "named",
        header_text=_distinct(header.text) if header and header.format in (None, "TEXT") else (),
        header_media=_MEDIA.get(header.format or "") if header else None,
        body=_distinct(body.text) if body else (),
        url_suffix_buttons=frozenset(i for i, b in enumerate(buttons) if b.type == "OTP" or _is_dynamic_url(b)),
        quick_reply_buttons=frozenset(i for i, b in enumerate(buttons) if b.type == "QUICK_REPLY"),
        copy_code_buttons=frozenset(i for i, b in enumerate(buttons) if b.type == "COPY_CODE"),
    )


def check_send_parameters(template: MessageTemplate, send: Template) -> None:
    """Refuse locally what Meta would fail with 132001, 132000 or 132012, naming the parameter at fault."""
    where = f"template '{template.name}' ({template.language})"
    if template.status is not TemplateStatus.APPROVED:
        raise TemplateNotSendable(f"{where} is {template.status}; Meta only sends APPROVED templates")
    if (send.name, send.language.code) != (template.name, template.language):
        raise TemplateNotSendable(f"the send names template '{send.name}' ({send.language.code}), not {where}")
    expected = expected_parameters(template)
    header, body, buttons = _split(send, where)
    if expected.header_media:
        _check_media_header(f"header of {where}", header, expected.header_media)
    else:
        _check_text_parameters(f"header of {where}", header, expected.header_text, expected.named)
    _check_text_parameters(f"body of {where}", body, expected.body, expected.named)
    _check_buttons(where, buttons, _buttons(template), expected)


def render_preview(template: MessageTemplate, send: Template | None = None) -> str:
    """What the customer reads: the send's values, or the examples Meta reviews the template with."""
    values = _send_values(send) if send is not None else _example_values(template)
    parts = []
    for component in sorted(template.components, key=lambda c: _DISPLAY_ORDER[c.type]):
        if component.type == "BUTTONS":
            parts.append("\n".join(f"[{_label(button)}]" for button in component.buttons or []))
        elif component.format in (None, "TEXT"):
            fill = values.get(component.type, {})
            parts.append(PLACEHOLDER.sub(lambda m: fill.get(m[1], m[0]), component.text or ""))
        else:
            parts.append(f"({component.format.lower()})")
    return "\n\n".join(parts)


def _distinct(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(placeholders(text or "")))


def _buttons(template: MessageTemplate) -> list[TemplateButton]:
    return next((c.buttons or [] for c in template.components if c.type == "BUTTONS"), [])


def _is_dynamic_url(button: TemplateButton) -> bool:
    return button.type == "URL" and bool(placeholders(button.url or ""))


def _split(
    send: Template, where: str
) -> tuple[list[TemplateParameter], list[TemplateParameter], dict[int, TemplateComponentParameters]]:
    """Meta takes at most one header, one body and one component per button index."""
    texts: dict[str, list[TemplateParameter]] = {}
    buttons: dict[int, TemplateComponentParameters] = {}
    for component in send.components:
        if component.type == "button" and component.index is None:
            raise TemplateParametersMismatch(f"a button component of the send for {where} has no index")
        if component.type in texts or (component.type == "button" and component.index in buttons):
            raise TemplateParametersMismatch(f"the send for {where} repeats its {component.type} component")
        if component.type == "button" and component.index is not None:
            buttons[component.index] = component
        else:
            texts[component.type] = component.parameters
    return texts.get("header", []), texts.get("body", []), buttons


def _check_text_parameters(field: str, params: list[TemplateParameter], names: tuple[str, ...], named: bool) -> None:
    if named:
        _check_names(field, params, names)
    else:
        given = next((p.parameter_name for p in params if p.parameter_name is not None), None)
        if given is not None:
            raise TemplateParametersMismatch(
                f"{field} uses positional parameters, but the send names one {given!r}; "
                "send them in placeholder order without parameter_name"
            )
    if len(params) != len(names):
        plural = "" if len(names) == 1 else "s"
        raise TemplateParametersMismatch(f"{field} expects {len(names)} parameter{plural}, got {len(params)}")
    for position, param in enumerate(params, start=1):
        if param.type not in _TEXT_TYPES:
            raise TemplateParametersMismatch(
                f"{field}: parameter {position} has type {param.type}; placeholders take text, currency or date_time"
            )
        _check_value(f"{field}: parameter {position}", param)


def _check_names(field: str, params: list[TemplateParameter], names: tuple[str, ...]) -> None:
    """Named templates match by parameter_name in any order, so every name must be given exactly once."""
    given = [p.parameter_name for p in params]
    expected = ", ".join(brace(name) for name in names) or "no parameters"
    if None in given:
        raise TemplateParametersMismatch(
            f"{field} uses named parameters, but parameter {given.index(None) + 1} has no parameter_name; "
            f"it expects {expected}"
        )
    unknown = [name for name in given if name not in names]
    if unknown:
        raise TemplateParametersMismatch(f"{field} has no parameter named {unknown[0]!r}; it expects {expected}")
    repeated = [name for name in names if given.count(name) > 1]
    if repeated:
        raise TemplateParametersMismatch(f"{field}: parameter_name {repeated[0]!r} is given more than once")
    missing = [name for name in names if name not in given]
    if missing:
        raise TemplateParametersMismatch(f"{field} expects parameter_name {missing[0]!r}, which the send does not give")


def _check_media_header(field: str, params: list[TemplateParameter], kind: MediaKind) -> None:
    if len(params) != 1 or params[0].type != kind:
        got = ", ".join(p.type for p in params) or "nothing"
        raise TemplateParametersMismatch(f"{field} has format {kind.upper()} and needs one {kind} parameter, got {got}")
    _check_value(field, params[0])


def _check_value(field: str, param: TemplateParameter) -> None:
    """Meta reads the value from the field named by `type`; media needs an uploaded id or a link."""
    value = getattr(param, param.type)
    if value is None:
        raise TemplateParametersMismatch(f"{field} has type {param.type} but no {param.type} value")
    if isinstance(value, MediaParameter) and not (value.id or value.link):
        raise TemplateParametersMismatch(f"{field}: the {param.type} needs an id or a link")


def _check_buttons(
    where: str,
    sent: dict[int, TemplateComponentParameters],
    buttons: list[TemplateButton],
    expected: ExpectedParameters,
) -> None:
    for index, component in sorted(sent.items()):
        field = f"button {index} of {where}"
        if not 0 <= index < len(buttons):
            raise TemplateParametersMismatch(f"{where} has no button {index}; it has {len(buttons)} buttons")
        sub_type = (component.sub_type or "").lower()
        fits, parameter_type = _BUTTON_SENDS.get(sub_type, (frozenset(), ""))
        if buttons[index].type not in fits:
            raise TemplateParametersMismatch(
                f"{field} is a {buttons[index].type} button; sub_type {component.sub_type!r} does not fit it"
            )
        if sub_type == "url" and index not in expected.url_suffix_buttons:
            raise TemplateParametersMismatch(f"{field} has a fixed URL, so it takes no parameter")
        if len(component.parameters) != 1 or component.parameters[0].type != parameter_type:
            got = ", ".join(p.type for p in component.parameters) or "nothing"
            raise TemplateParametersMismatch(f"{field} needs one {parameter_type} parameter, got {got}")
        _check_value(field, component.parameters[0])
    missing = sorted((expected.url_suffix_buttons | expected.copy_code_buttons) - sent.keys())
    if missing:
        raise TemplateParametersMismatch(
            f"button {missing[0]} of {where} is a {buttons[missing[0]].type} button and needs a parameter in the send"
        )


def _send_values(send: Template) -> dict[str, dict[str, str]]:
    """Positional parameters fill `{{1}}`.. in order; named ones fill their parameter_name."""
    return {
        component.type.upper(): {
            param.parameter_name or str(position): _display(param)
            for position, param in enumerate(component.parameters, start=1)
        }
        for component in send.components
        if component.type != "button"
    }


def _display(param: TemplateParameter) -> str:
    """Cloud API shows the fallback value of currency and date_time parameters."""
    fallback = param.currency or param.date_time
    return param.text or (fallback.fallback_value if fallback else "")


def _example_values(template: MessageTemplate) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    for component in template.components:
        example = component.example
        if example is None:
            continue
        positional = example.header_text if component.type == "HEADER" else (example.body_text or [[]])[0]
        named = example.header_text_named_params if component.type == "HEADER" else example.body_text_named_params
        values[component.type] = {str(i): value for i, value in enumerate(positional or [], start=1)}
        values[component.type].update({e.param_name: e.example for e in named or []})
    return values


def _label(button: TemplateButton) -> str:
    return button.text or button.type.replace("_", " ").lower()
