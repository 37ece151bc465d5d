"""Operational questions: can the token reach the number, and how much work is waiting.

Both answer rather than raise: a setup guide and a readiness probe must show what is wrong, and a
CloudApiError escaping here would turn "your token expired" into a 502 with nothing to act on.
"""

from __future__ import annotations

import msgspec

from application.ports import CloudApi, Inbox, Outbox
from domain.ids import PhoneNumberId
from domain.meta_errors import CloudApiError

INBOX_BACKLOG_CAP = 10_000
"""The inbox port lists unprocessed events rather than counting them; past this a backlog is simply large."""


class PhoneNumberReach(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    reachable: bool
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    error_details: str | None = None


class QueueDepths(msgspec.Struct, frozen=True, kw_only=True):
    outbox: int
    inbox_backlog: int
    inbox_quarantined: int


class CheckPhoneNumber:
    """A token that is wrong, expired or lacks the number's permission fails here with Meta's code (190, 100/33...)."""

    def __init__(self, *, cloud_api: CloudApi) -> None:
        self._cloud_api = cloud_api

    async def __call__(self, phone_number_id: PhoneNumberId) -> PhoneNumberReach:
        try:
            info = await self._cloud_api.phone_number_info(phone_number_id)
        except CloudApiError as error:
            return PhoneNumberReach(
                reachable=False, error_code=error.code, error_title=error.title, error_details=error.details
            )
        return PhoneNumberReach(
            reachable=True,
            display_phone_number=info.display_phone_number,
            verified_name=info.verified_name,
            quality_rating=info.quality_rating,
        )


class ProbeStore:
    """The readiness probe's cheap query; any failure is the answer, since the store may fail in any way."""

    def __init__(self, *, outbox: Outbox) -> None:
        self._outbox = outbox

    async def __call__(self) -> str | None:
        """None when the store answered, else what went wrong."""
        try:
            await self._outbox.depth()
        except Exception as error:  # noqa: BLE001 - a probe reports every failure rather than crash on it
            return f"the store did not answer: {type(error).__name__}: {error}"
        return None


class MeasureQueues:
    """Read at scrape time, and by the readiness probe as the cheap query that proves the store answers."""

    def __init__(self, *, outbox: Outbox, inbox: Inbox) -> None:
        self._outbox = outbox
        self._inbox = inbox

    async def __call__(self, inbox_cap: int = INBOX_BACKLOG_CAP) -> QueueDepths:
        """The inbox backlog is counted up to `inbox_cap`: a probe only needs to know the store answered."""
        backlog = await self._inbox.unprocessed(inbox_cap)
        quarantined = await self._inbox.quarantined(inbox_cap)
        return QueueDepths(
            outbox=await self._outbox.depth(), inbox_backlog=len(backlog), inbox_quarantined=len(quarantined)
        )
