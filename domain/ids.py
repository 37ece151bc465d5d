"""Identifiers of the WhatsApp world, as typed strings with named constructors that refuse nonsense.

They stay plain strings on the wire and in storage (msgspec encodes them as such); the types keep
a customer's number from being passed where a wamid is expected, and the parse functions are the
only way outside text becomes one.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import NewType

from domain.errors import InvalidIdentifier

WaId = NewType("WaId", str)
"""A customer's WhatsApp number: E.164 digits without the plus, as Meta's `wa_id`."""

Bsuid = NewType("Bsuid", str)
"""A business-scoped user id (Meta's `user_id`, 2026): a country code, a dot, up to 128 alphanumerics.

A parent BSUID, shared by linked business portfolios, carries `ENT` (`US.ENT.11815799212886844830`).
"""

CustomerId = NewType("CustomerId", str)
"""wahub's id of a customer: their wa_id digits when first known by phone number, else their BSUID.

It never changes once given, so a conversation keeps its id when a phone number appears or goes.
"""

PhoneNumberId = NewType("PhoneNumberId", str)
"""Meta's id of one business phone number (not the number itself)."""

WabaId = NewType("WabaId", str)
"""Meta's id of a WhatsApp Business Account."""

Wamid = NewType("Wamid", str)
"""Meta's id of one message, `wamid.` followed by an opaque token."""

MediaId = NewType("MediaId", str)
"""Meta's id of one uploaded or received media file: digits, used as a Graph path segment."""

MessageId = NewType("MessageId", str)
"""wahub's own id of a message: random, so stored documents never hot-spot on a growing key."""

GRAPH_ID_PATTERN = r"[0-9]{1,32}"
MESSAGE_ID_PATTERN = r"msg_[0-9a-f]{32}"
_E164_DIGITS_PATTERN = r"[1-9][0-9]{6,14}"
_BSUID_PATTERN = r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}"
CUSTOMER_ID_PATTERN = rf"\+[0-9\s\-().]{{7,40}}|{_E164_DIGITS_PATTERN}|{_BSUID_PATTERN}"
"""A customer as a URL path names them: their number ('+' with the separators E.164 tolerates, or digits)
or their BSUID; `parse_customer_id` then checks the number itself."""

_E164_SEPARATORS = re.compile(r"[\s\-().]")
_E164_DIGITS = re.compile(_E164_DIGITS_PATTERN)
_BSUID = re.compile(_BSUID_PATTERN)
_GRAPH_ID = re.compile(GRAPH_ID_PATTERN)
_WAMID = re.compile(r"wamid\.[A-Za-z0-9_\-=+/.]{1,480}")
_MESSAGE_ID = re.compile(MESSAGE_ID_PATTERN)


def parse_wa_id(raw: str) -> WaId:
    """Accept `+<country><number>` with the separators Meta tolerates, or an already normalised wa_id.

    A number without `+` but with separators is refused: Meta would prepend the business number's
    own country code to it and may deliver to a stranger.
    """
    text = raw.strip()
    if text.startswith("+"):
        digits = _E164_SEPARATORS.sub("", text[1:])
    elif text.isdigit():
        digits = text
    else:
        raise InvalidIdentifier(
            f"{raw!r} is not a WhatsApp number: give it in E.164 form, '+' then country code and number, e.g. +16505551234"
        )
    if not _E164_DIGITS.fullmatch(digits):
        raise InvalidIdentifier(
            f"{raw!r} is not a WhatsApp number: E.164 numbers have 7 to 15 digits after '+' and do not start with 0"
        )
    return WaId(digits)


def parse_bsuid(raw: str) -> Bsuid:
    if not _BSUID.fullmatch(raw):
        raise InvalidIdentifier(
            f"{raw!r} is not a business-scoped user id: BSUIDs look like 'US.13491208655302741918'"
        )
    return Bsuid(raw)


def is_bsuid(raw: str) -> bool:
    return _BSUID.fullmatch(raw) is not None


def parse_customer_id(raw: str) -> CustomerId:
    """A customer as the API names them: a phone number (E.164, '+' optional when digits only) or a BSUID."""
    text = raw.strip()
    if is_bsuid(text):
        return CustomerId(text)
    try:
        return CustomerId(parse_wa_id(text))
    except InvalidIdentifier:
        raise InvalidIdentifier(
            f"{raw!r} names no customer: give a WhatsApp number in E.164 form (e.g. +16505551234) "
            "or a business-scoped user id (e.g. US.13491208655302741918)"
        ) from None


def parse_phone_number_id(raw: str) -> PhoneNumberId:
    return PhoneNumberId(_graph_id(raw, "phone number id"))


def parse_waba_id(raw: str) -> WabaId:
    return WabaId(_graph_id(raw, "WhatsApp Business Account id"))


def parse_media_id(raw: str) -> MediaId:
    """Digits only, so an id can never leave its Graph path segment (`../x`) or add a query (`1?fields=`)."""
    return MediaId(_graph_id(raw, "media id"))


def parse_wamid(raw: str) -> Wamid:
    if not _WAMID.fullmatch(raw):
        raise InvalidIdentifier(f"{raw!r} is not a WhatsApp message id: wamids look like 'wamid.HBgL...'")
    return Wamid(raw)


def is_wamid(raw: str) -> bool:
    return _WAMID.fullmatch(raw) is not None


def parse_message_id(raw: str) -> MessageId:
    if not _MESSAGE_ID.fullmatch(raw):
        raise InvalidIdentifier(f"{raw!r} is not a wahub message id: they look like 'msg_' and 32 hex digits")
    return MessageId(raw)


def new_message_id() -> MessageId:
    """The clock in nanoseconds, then randomness: histories order by (time, id), and Meta stamps messages
    to the second, so two customer messages of one second list in the order wahub stored them."""
    return MessageId(f"msg_{time.time_ns():016x}{secrets.token_hex(8)}")


def _graph_id(raw: str, what: str) -> str:
    if not _GRAPH_ID.fullmatch(raw):
        raise InvalidIdentifier(f"{raw!r} is not a {what}: Meta's ids are strings of digits")
    return raw
