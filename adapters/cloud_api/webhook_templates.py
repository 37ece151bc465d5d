"""A template's review outcome or quality score, read from one `message_template_*_update` change.

Meta puts no time in these values: the event takes `entry.time`, and the WABA from `entry.id`.
When `entry.time` is missing (Meta always sends it) the change is refused as Unreadable rather
than given no time or a made-up one: an optional `at` would weaken every reader of the event for
a case Meta never produces, and the processing time would claim Meta decided later than it did.
Refusing costs little: the UndecodableItem shows operators what was not applied, and the next
template sync reads Meta's current status anyway.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.cloud_api.webhook_items import Unreadable, decoded, parsed, unix_time
from adapters.cloud_api.webhook_wire import Entry, TemplateQualityValue, TemplateStatusValue
from domain.ids import WabaId, parse_waba_id
from domain.webhook_events import TemplateQualityChanged, TemplateStatusChanged

_template_status = msgspec.json.Decoder(TemplateStatusValue)
_template_quality = msgspec.json.Decoder(TemplateQualityValue)


def template_status_changed(entry: Entry, entry_at: str, value: msgspec.Raw, value_at: str) -> TemplateStatusChanged:
    """Meta's reason `NONE` means there is none (it comes with approvals)."""
    update = decoded(_template_status, value, value_at)
    return TemplateStatusChanged(
        waba_id=_waba_id(entry, entry_at),
        template_id=str(update.message_template_id),
        name=update.message_template_name,
        language=update.message_template_language,
        status=update.event,
        at=_entry_time(entry, entry_at),
        reason=None if update.reason in (None, "NONE") else update.reason,
    )


def template_quality_changed(
    entry: Entry, entry_at: str, value: msgspec.Raw, value_at: str
) -> TemplateQualityChanged:
    update = decoded(_template_quality, value, value_at)
    return TemplateQualityChanged(
        waba_id=_waba_id(entry, entry_at),
        template_id=str(update.message_template_id),
        name=update.message_template_name,
        language=update.message_template_language,
        quality=update.new_quality_score,
        at=_entry_time(entry, entry_at),
    )


def _waba_id(entry: Entry, entry_at: str) -> WabaId:
    if entry.id is None:
        raise Unreadable(f"{entry_at}.id is missing: template events name their WhatsApp Business Account by it")
    return parsed(parse_waba_id, entry.id, f"{entry_at}.id")


def _entry_time(entry: Entry, entry_at: str) -> datetime:
    if entry.time is None:
        raise Unreadable(f"{entry_at}.time is missing: template events take their time from it")
    return unix_time(entry.time, f"{entry_at}.time")
