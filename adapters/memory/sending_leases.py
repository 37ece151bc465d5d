"""Sending leases kept in this process: the memory mode's, and SQLite's, whose database serves one dispatcher."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.records import NumberPacing, SendingLease
from application.sending_leases import LeaseRecord, grant, holds, released
from domain.ids import PhoneNumberId


class InMemorySendingLeases:
    def __init__(self) -> None:
        self._records: dict[PhoneNumberId, LeaseRecord] = {}

    async def acquire(
        self, phone_number_id: PhoneNumberId, holder: str, now: datetime, ttl: timedelta, pacing: NumberPacing | None
    ) -> SendingLease | None:
        granted = grant(self._records.get(phone_number_id), phone_number_id, holder, now, ttl, pacing)
        if granted is None:
            return None
        self._records[phone_number_id], lease = granted
        return lease

    async def release(self, lease: SendingLease, now: datetime, pacing: NumberPacing) -> None:
        record = released(self._records.get(lease.phone_number_id), lease, now, pacing)
        if record is not None:
            self._records[lease.phone_number_id] = record

    def holds(self, lease: SendingLease, at: datetime) -> bool:
        """The fence the memory outbox checks before it marks an entry `calling`."""
        return holds(self._records.get(lease.phone_number_id), lease, at)
