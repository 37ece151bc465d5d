"""Conversations and the 24-hour customer-service window.

A customer's message opens (or refreshes) a window of 24 h in which the business may send anything;
outside it Meta only delivers approved templates and fails free-form messages with 131047.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from domain.content import OutboundContent, Template
from domain.errors import TemplateRequired
from domain.ids import PhoneNumberId, WaId

WINDOW = timedelta(hours=24)


class CustomerServiceWindow(msgspec.Struct, frozen=True, kw_only=True):
    last_inbound_at: datetime | None = None

    @property
    def closes_at(self) -> datetime | None:
        return None if self.last_inbound_at is None else self.last_inbound_at + WINDOW

    def is_open(self, now: datetime) -> bool:
        closes_at = self.closes_at
        return closes_at is not None and now < closes_at

    def after_inbound(self, at: datetime) -> CustomerServiceWindow:
        """Webhooks arrive out of order: a late, older message never shortens the window."""
        if self.last_inbound_at is not None and self.last_inbound_at >= at:
            return self
        return CustomerServiceWindow(last_inbound_at=at)


def require_window_for(content: OutboundContent, window: CustomerServiceWindow, now: datetime) -> None:
    """Meta only delivers free-form messages within 24 h of the customer's last message."""
    if isinstance(content, Template) or window.is_open(now):
        return
    raise TemplateRequired(last_inbound_at=window.last_inbound_at, closed_at=window.closes_at)


def is_business_initiated(content: OutboundContent, window: CustomerServiceWindow, now: datetime) -> bool:
    """A template to a customer outside the window reaches out first: it counts against the messaging tier."""
    return isinstance(content, Template) and not window.is_open(now)


class Conversation(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One business number's thread with one customer."""

    phone_number_id: PhoneNumberId
    wa_id: WaId
    last_activity_at: datetime
    window: CustomerServiceWindow = CustomerServiceWindow()
    customer_name: str | None = None
    unread_count: int = 0
    last_message_preview: str | None = None
    awaiting_reply_since: datetime | None = None

    def window_state(self, now: datetime) -> str:
        return "open" if self.window.is_open(now) else "closed"
