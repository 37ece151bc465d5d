"""WhatsApp's limits on what a business sends, checked here and nowhere else.

Only outbound content is checked: a customer may send what a business may not, and an inbound
message is kept as it came. Checking before the send turns Meta's generic "parameter value is not
valid" into a refusal that names the field and the limit, while the caller can still fix it.
Lengths are counted in Unicode code points, as Meta's documentation speaks of characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Final
from urllib.parse import urlsplit

import msgspec

from domain.content import (
    Audio,
    Contacts,
    Document,
    Image,
    Interactive,
    InteractiveAction,
    InteractiveHeader,
    ListSection,
    Location,
    MediaContent,
    OutboundContent,
    Reaction,
    Sticker,
    Template,
    Text,
    Video,
    kind_of,
)
from domain.errors import InvalidContent, InvalidIdentifier
from domain.ids import parse_wamid
from domain.messages import ReplyContext


class Limit(msgspec.Struct, frozen=True, kw_only=True):
    """An inclusive range, in `unit`: characters of text, items of a list, or degrees."""

    least: int
    most: int
    unit: str


def _chars(most: int, least: int = 1) -> Limit:
    return Limit(least=least, most=most, unit="characters")


SENDING_LIMITS: Final[Mapping[str, Limit]] = MappingProxyType(
    {
        "text.body": _chars(4096),
        **{f"{kind}.caption": _chars(1024, least=0) for kind in ("image", "video", "document")},
        "location.latitude": Limit(least=-90, most=90, unit="degrees"),
        "location.longitude": Limit(least=-180, most=180, unit="degrees"),
        "contacts": Limit(least=1, most=257, unit="contacts"),
        "interactive.header.text": _chars(60),
        "interactive.footer.text": _chars(60),
        "button.body.text": _chars(1024),
        "button.action.buttons": Limit(least=1, most=3, unit="reply buttons"),
        "button.action.buttons[].reply.id": _chars(256),
        "button.action.buttons[].reply.title": _chars(20),
        "list.body.text": _chars(4096),
        "list.action.button": _chars(20),
        "list.action.sections": Limit(least=1, most=10, unit="sections"),
        "list.action.sections[].title": _chars(24),
        "list.action.sections[].rows": Limit(least=1, most=10, unit="rows"),
        "list.action.sections[].rows[].id": _chars(200),
        "list.action.sections[].rows[].title": _chars(24),
        "list.action.sections[].rows[].description": _chars(72, least=0),
        "cta_url.body.text": _chars(1024),
        "cta_url.action.parameters.display_text": _chars(20),
    }
)
"""Keyed by the field's path in Meta's payload; interactive paths start with the interactive type
(`button`, `list`, `cta_url`) because the same field has different limits per type. List rows are
at least one per section and at most ten in total across all sections."""

_L = SENDING_LIMITS


def check_sendable(content: OutboundContent, context: ReplyContext | None = None) -> None:
    """Refuse content Meta would refuse from a business, naming the field and the limit."""
    if context is not None:
        _check_context(content, context)
    match content:
        case Text():
            _check_length("text.body", content.body, _L["text.body"])
        case Image() | Video() | Document() | Audio() | Sticker():
            _check_media(content)
        case Location():
            _check_coordinate("location.latitude", content.latitude)
            _check_coordinate("location.longitude", content.longitude)
        case Contacts():
            _check_contacts(content)
        case Interactive():
            _check_interactive(content)
        case Reaction():
            _check_wamid("reaction.message_id", content.message_id)
        case Template():
            _require("template.name", content.name, "the name of an approved template")
            _require("template.language.code", content.language.code, "the template's language code, e.g. en_US")


def _check_context(content: OutboundContent, context: ReplyContext) -> None:
    if isinstance(content, Reaction):
        raise InvalidContent("context: a reaction cannot quote a message; it already points at reaction.message_id")
    if context.message_id is None:
        raise InvalidContent("context.message_id is missing; a reply needs the wamid of the message it quotes")
    _check_wamid("context.message_id", context.message_id)


def _check_media(content: MediaContent) -> None:
    """Audio and stickers take no caption: their Structs have no caption field to check."""
    kind = kind_of(content)
    _check_source(kind, content.id, content.link)
    if isinstance(content, Image | Video | Document) and content.caption is not None:
        _check_length(f"{kind}.caption", content.caption, _L[f"{kind}.caption"])


def _check_source(path: str, media_id: str | None, link: str | None) -> None:
    if bool(media_id) == bool(link):
        got = "both" if media_id else "neither"
        raise InvalidContent(f"{path}: give exactly one of id (an uploaded media id) or link, got {got}")
    if link:
        _check_url(f"{path}.link", link)


def _check_contacts(content: Contacts) -> None:
    _check_count("contacts", content.contacts, _L["contacts"])
    for i, contact in enumerate(content.contacts):
        name = contact.name.formatted_name
        _require(f"contacts[{i}].name.formatted_name", name, "a formatted name for every contact")


def _check_interactive(content: Interactive) -> None:
    check_action = _ACTION_CHECKS.get(content.type)
    if check_action is None:
        raise InvalidContent(
            f"interactive.type {content.type!r} is what a customer's reply carries and cannot be sent; "
            f"a business sends {', '.join(_ACTION_CHECKS)}"
        )
    if content.body is None:
        raise InvalidContent(f"interactive.body is missing; WhatsApp needs body text on a {content.type} message")
    _check_length("interactive.body.text", content.body.text, _L[f"{content.type}.body.text"])
    if content.header is not None:
        _check_header(content.type, content.header)
    if content.footer is not None:
        _check_length("interactive.footer.text", content.footer.text, _L["interactive.footer.text"])
    if content.action is None:
        raise InvalidContent(f"interactive.action is missing; a {content.type} message needs one")
    check_action(content.action)


def _check_header(interactive_type: str, header: InteractiveHeader) -> None:
    if header.type == "text":
        _check_length("interactive.header.text", header.text or "", _L["interactive.header.text"])
        return
    if interactive_type == "list":
        raise InvalidContent(f"interactive.header.type is {header.type!r}; a list message takes only a text header")
    media = {"image": header.image, "video": header.video, "document": header.document}[header.type]
    path = f"interactive.header.{header.type}"
    if media is None:
        raise InvalidContent(f"{path} is missing; a header of type {header.type} needs it")
    _check_source(path, media.id, media.link)


def _check_reply_buttons(action: InteractiveAction) -> None:
    buttons = action.buttons or []
    _check_count("interactive.action.buttons", buttons, _L["button.action.buttons"])
    titles = []
    for i, button in enumerate(buttons):
        path = f"interactive.action.buttons[{i}].reply"
        _check_length(f"{path}.id", button.reply.id, _L["button.action.buttons[].reply.id"])
        _check_length(f"{path}.title", button.reply.title, _L["button.action.buttons[].reply.title"])
        titles.append((f"{path}.title", button.reply.title))
    _check_unique(titles, "reply button titles")


def _check_list(action: InteractiveAction) -> None:
    _check_length("interactive.action.button", action.button or "", _L["list.action.button"])
    sections = action.sections or []
    _check_count("interactive.action.sections", sections, _L["list.action.sections"])
    for i, section in enumerate(sections):
        _check_section(f"interactive.action.sections[{i}]", section, titled=len(sections) > 1)
    row_ids = [
        (f"interactive.action.sections[{i}].rows[{j}].id", row.id)
        for i, section in enumerate(sections)
        for j, row in enumerate(section.rows)
    ]
    most = _L["list.action.sections[].rows"].most
    if len(row_ids) > most:
        total = f"at most {most} rows in total across all sections, got {len(row_ids)}"
        raise InvalidContent(f"interactive.action.sections: {total}")
    _check_unique(row_ids, "list row ids")


def _check_section(path: str, section: ListSection, titled: bool) -> None:
    if section.title is None and titled:
        raise InvalidContent(f"{path}.title is missing; WhatsApp needs a title on every section of a list with several")
    if section.title is not None:
        _check_length(f"{path}.title", section.title, _L["list.action.sections[].title"])
    if not section.rows:
        raise InvalidContent(f"{path}.rows: at least 1 row, got 0")
    for j, row in enumerate(section.rows):
        for field, value in (("id", row.id), ("title", row.title), ("description", row.description)):
            if value is not None:
                _check_length(f"{path}.rows[{j}].{field}", value, _L[f"list.action.sections[].rows[].{field}"])


def _check_cta_url(action: InteractiveAction) -> None:
    if action.name != "cta_url":
        raise InvalidContent(f"interactive.action.name is {action.name!r}; a cta_url message needs 'cta_url'")
    if action.parameters is None:
        raise InvalidContent("interactive.action.parameters is missing; a cta_url message needs display_text and url")
    path = "interactive.action.parameters"
    limit = _L["cta_url.action.parameters.display_text"]
    _check_length(f"{path}.display_text", action.parameters.display_text, limit)
    _check_url(f"{path}.url", action.parameters.url)


_ACTION_CHECKS: Final[Mapping[str, Callable[[InteractiveAction], None]]] = MappingProxyType(
    {"button": _check_reply_buttons, "list": _check_list, "cta_url": _check_cta_url}
)
"""The interactive types a business may send; the others are only ever a customer's reply."""


def _check_length(path: str, text: str, limit: Limit) -> None:
    length = _amount(len(text), limit.unit)
    if len(text) < limit.least:
        raise InvalidContent(f"{path} is {length}; WhatsApp needs at least {_amount(limit.least, limit.unit)}")
    if len(text) > limit.most:
        raise InvalidContent(f"{path} is {length}; WhatsApp allows at most {limit.most}")


def _check_count(path: str, items: Sequence[object], limit: Limit) -> None:
    if len(items) < limit.least:
        raise InvalidContent(f"{path}: at least {_amount(limit.least, limit.unit)}, got {len(items)}")
    if len(items) > limit.most:
        raise InvalidContent(f"{path}: at most {_amount(limit.most, limit.unit)}, got {len(items)}")


def _check_coordinate(path: str, value: float) -> None:
    limit = _L[path]
    if not limit.least <= value <= limit.most:
        raise InvalidContent(f"{path} is {value}; WhatsApp allows {limit.least} to {limit.most} {limit.unit}")


def _check_unique(paths_and_values: list[tuple[str, str]], what: str) -> None:
    first_path: dict[str, str] = {}
    for path, value in paths_and_values:
        if value in first_path:
            raise InvalidContent(f"{path} {value!r} repeats {first_path[value]}; WhatsApp needs {what} to be unique")
        first_path[value] = path


def _check_url(path: str, url: str) -> None:
    if not _is_web_url(url):
        raise InvalidContent(f"{path} {url!r} is not an http(s) URL; WhatsApp accepts only http:// and https:// links")


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_wamid(path: str, raw: str) -> None:
    try:
        parse_wamid(raw)
    except InvalidIdentifier as error:
        raise InvalidContent(f"{path}: {error}") from error


def _require(path: str, value: str, what: str) -> None:
    if not value.strip():
        raise InvalidContent(f"{path} is empty; WhatsApp needs {what}")


def _amount(count: int, unit: str) -> str:
    return f"{count} {unit[:-1] if count == 1 else unit}"
