"""Reading one item of a webhook POST, so that a bad item is refused alone and named by its path.

Meta batches up to 1000 updates in one POST: a field that does not read raises `Unreadable` inside
the item, and `each_item` turns it into an UndecodableItem in that item's place while the items
beside it are still read. Paths start at the top of the POST (`entry[0].changes[1].value...`) so
the raw body kept in the inbox shows exactly what Meta sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from domain.errors import InvalidIdentifier
from domain.ids import PhoneNumberId
from domain.webhook_events import UndecodableItem, WebhookEvent

T = TypeVar("T")

ItemReader = Callable[[msgspec.Raw, str], Sequence[WebhookEvent]]
"""Reads one raw item found at the given path into its events (none for what wahub keeps no state of)."""


class Unreadable(Exception):
    """One item cannot become an event; raised inside the item, caught by `each_item` around it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def each_item(
    raws: list[msgspec.Raw], where: str, read: ItemReader, phone_number_id: PhoneNumberId | None = None
) -> list[WebhookEvent]:
    """The events of every item of a list, in order; an item that does not read becomes an UndecodableItem."""
    events: list[WebhookEvent] = []
    for k, raw in enumerate(raws):
        path = f"{where}[{k}]"
        try:
            events.extend(read(raw, path))
        except Unreadable as refusal:
            events.append(UndecodableItem(path=path, reason=refusal.reason, phone_number_id=phone_number_id))
    return events


def decoded(decoder: msgspec.json.Decoder[T], raw: msgspec.Raw, where: str) -> T:
    """The envelope only skips over its items, so bytes that are not JSON (an invalid UTF-8 byte, a value
    nested past the decoder's depth) are met here, and refuse this item alone."""
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise Unreadable(located(error, where)) from error
    except msgspec.DecodeError as error:
        raise Unreadable(f"`{where}` is not valid JSON: {error}") from error
    except RecursionError as error:
        raise Unreadable(f"`{where}` is nested too deeply to read") from error


def parsed(parse: Callable[[str], T], raw: str, where: str) -> T:
    """A domain identifier, or the domain's reason for refusing it, named by where it was found."""
    try:
        return parse(raw)
    except InvalidIdentifier as error:
        raise Unreadable(f"{where}: {error}") from error


def unix_time(raw: str | int, where: str) -> datetime:
    """Meta's unix seconds (a string on messages and statuses) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise Unreadable(f"{where} is {raw!r}, not unix seconds") from error


def located(error: msgspec.ValidationError, where: str) -> str:
    """msgspec's path starts at the decoded value (`$`); name it from the top of the POST instead."""
    message = str(error)
    return message.replace("`$", f"`{where}") if "`$" in message else f"{message} - at `{where}`"
