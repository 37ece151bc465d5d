"""An outbound message's status, read from one item of `statuses[]`.

A status is applied to the message its wamid names, at Meta's time: one whose keys are missing,
whose `id` is not a wamid or whose `timestamp` is not unix seconds cannot be applied and is refused
as Unreadable, alone. Status values the domain does not know (Meta adds some, as it added `played`
in 2025) produce no event: wahub keeps no state for them.
"""

from __future__ import annotations

import msgspec

from adapters.cloud_api.webhook_items import decoded, parsed, unix_time
from adapters.cloud_api.webhook_wire import PricingWire, Status, WebhookError
from domain.ids import PhoneNumberId, parse_wamid
from domain.messages import Pricing
from domain.status import Failure, MessageStatus, StatusEvent
from domain.webhook_events import StatusReported

_status = msgspec.json.Decoder(Status)

_META_STATUSES = {status: MessageStatus(status) for status in ("sent", "delivered", "read", "played", "failed")}


def status_events(raw: msgspec.Raw, where: str, phone_number_id: PhoneNumberId) -> list[StatusReported]:
    """One status item's event, or none when its value is one wahub keeps no state for."""
    status = decoded(_status, raw, where)
    meta_status = _META_STATUSES.get(status.status)
    if meta_status is None:
        return []
    failure = _failure(status.errors[0]) if meta_status is MessageStatus.FAILED and status.errors else None
    reported = StatusReported(
        phone_number_id=phone_number_id,
        wamid=parsed(parse_wamid, status.id, f"{where}.id"),
        recipient=status.recipient_id,
        event=StatusEvent(status=meta_status, at=unix_time(status.timestamp, f"{where}.timestamp"), failure=failure),
        pricing=_pricing(status.pricing),
        callback_data=status.biz_opaque_callback_data,
    )
    return [reported]


def _failure(error: WebhookError) -> Failure:
    """Meta sends `message` equal to `title`; either names the failure when the other is missing."""
    title = error.title or error.message or f"error {error.code}"
    return Failure(code=error.code, title=title, details=error.error_data.details if error.error_data else None)


def _pricing(pricing: PricingWire | None) -> Pricing | None:
    """Meta spells one category both `authentication_international` and `authentication-international`."""
    if pricing is None or pricing.category is None:
        return None
    return Pricing(
        category=pricing.category.replace("-", "_"),
        type=pricing.type,
        pricing_model=pricing.pricing_model,
        billable=pricing.billable,
    )
