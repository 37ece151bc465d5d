"""Every event of one webhook POST, read from Meta's envelope into domain events.

Meta batches: one POST may hold up to 1000 updates across entries, changes, messages and statuses,
for several business numbers. All of them are read, and each event carries the `phone_number_id`
of its own change.

Only a body that is not Meta's envelope at all (not JSON, another `object`, no `entry` list) raises
MalformedWebhook. Anything wrong inside it is refused where it is: an entry, change, message or
status that cannot be read becomes an UndecodableItem at its path, and every other item of the POST
is still decoded, so one odd item never drops the good ones beside it. Applying is idempotent by
wamid, so replaying the raw body the inbox keeps is safe once the cause is fixed.

Fields other than messages and template status/quality (account_update, ...) produce no event:
wahub has no state for them, and reporting them would flag every webhook of that shape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from adapters.cloud_api.webhook_items import decoded, each_item, parsed
from adapters.cloud_api.webhook_messages import inbound_message
from adapters.cloud_api.webhook_statuses import status_events
from adapters.cloud_api.webhook_templates import template_quality_changed, template_status_changed
from adapters.cloud_api.webhook_wire import Change, ContactCard, Entry, Envelope, MessagesValue
from domain.errors import MalformedWebhook
from domain.ids import parse_phone_number_id
from domain.webhook_events import WebhookEvent

_envelope = msgspec.json.Decoder(Envelope)
_entry = msgspec.json.Decoder(Entry)
_change = msgspec.json.Decoder(Change)
_messages_value = msgspec.json.Decoder(MessagesValue)
_contact = msgspec.json.Decoder(ContactCard)


class MetaWebhookDecoder:
    """The WebhookDecoder for Meta's Cloud API webhooks (and the simulator, which sends the same)."""

    def decode(self, untrusted_body: bytes) -> list[WebhookEvent]:
        return each_item(_read_envelope(untrusted_body).entry, "entry", _entry_events)


def _read_envelope(untrusted_body: bytes) -> Envelope:
    """A lone UTF-16 surrogate escape (`\\udc00`) fails even the envelope, which otherwise only skips
    over its items; it is read again with each such escape made an invalid byte, which fails only
    the item holding it."""
    try:
        return _envelope.decode(untrusted_body)
    except msgspec.ValidationError as error:
        raise MalformedWebhook(f"body is not Meta's webhook envelope: {error}") from error
    except RecursionError as error:
        raise MalformedWebhook("body is nested too deeply to be Meta's webhook envelope") from error
    except msgspec.DecodeError as error:
        confined = _LONE_SURROGATE.sub(_confine_surrogate, untrusted_body)
        if confined != untrusted_body:
            return _read_envelope(confined)
        raise MalformedWebhook(f"body is not JSON: {error}") from error


_LONE_SURROGATE = re.compile(
    rb"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
"""An escaped backslash, a valid surrogate pair, or a lone surrogate: scanning left to right, a `\\u`
that follows an escaped backslash is text, never taken for an escape."""


def _confine_surrogate(found: re.Match[bytes]) -> bytes:
    escape = found.group()
    return b"\xff" if len(escape) == 6 else escape


def _entry_events(raw: msgspec.Raw, where: str) -> list[WebhookEvent]:
    entry = decoded(_entry, raw, where)
    return each_item(entry.changes, f"{where}.changes", lambda change, at: _change_events(entry, where, change, at))


def _change_events(entry: Entry, entry_at: str, raw: msgspec.Raw, where: str) -> Sequence[WebhookEvent]:
    change = decoded(_change, raw, where)
    value_at = f"{where}.value"
    if change.field == "messages":
        return _messages_events(change.value, value_at)
    if change.field == "message_template_status_update":
        return [template_status_changed(entry, entry_at, change.value, value_at)]
    if change.field == "message_template_quality_update":
        return [template_quality_changed(entry, entry_at, change.value, value_at)]
    return []


def _messages_events(raw: msgspec.Raw, where: str) -> list[WebhookEvent]:
    """A change's messages and statuses, each read on its own and routed to the change's number.

    Without a readable `phone_number_id` no item of the change can be routed, so the change as a
    whole is refused; its sibling changes are not.
    """
    value = decoded(_messages_value, raw, where)
    number = parsed(parse_phone_number_id, value.metadata.phone_number_id, f"{where}.metadata.phone_number_id")
    names = _customer_names(value.contacts)
    messages = each_item(
        value.messages, f"{where}.messages", lambda message, at: [inbound_message(message, at, number, names)], number
    )
    statuses = each_item(
        value.statuses, f"{where}.statuses", lambda status, at: status_events(status, at, number), number
    )
    return messages + statuses


def _customer_names(raws: list[msgspec.Raw]) -> dict[str, str | None]:
    """Who wrote, by wa_id. A card that does not read only costs its messages their display name."""
    names: dict[str, str | None] = {}
    for raw in raws:
        try:
            card = _contact.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
            continue
        if card.wa_id and card.profile:
            names[card.wa_id] = card.profile.name
    return names
