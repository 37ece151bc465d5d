"""Sending leases: one document per business number, read and written in a transaction.

A renewal every few seconds per number is far within what one document takes. The outbox reads the
same document inside its `calling` transaction (the fence), so the lease's collection is named here once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from google.cloud.firestore_v1.async_transaction import async_transactional

from adapters.firestore.documents import PAYLOAD, TRANSACTION_ATTEMPTS, from_payload, to_payload, utc
from application.records import NumberPacing, SendingLease
from application.sending_leases import LeaseRecord, grant, released
from domain.ids import PhoneNumberId

COLLECTION = "sending_leases"


def lease_reference(client: Any, phone_number_id: PhoneNumberId) -> Any:
    return client.collection(COLLECTION).document(phone_number_id)


async def read_record(reference: Any, transaction: Any) -> LeaseRecord | None:
    snapshot = await reference.get(transaction=transaction)
    return from_payload(snapshot.to_dict(), LeaseRecord) if snapshot.exists else None


def _fields(record: LeaseRecord) -> dict[str, Any]:
    """`expires_at` beside the payload, for an operator's query of who holds what."""
    return {PAYLOAD: to_payload(record), "holder": record.holder, "expires_at": utc(record.expires_at)}


class FirestoreSendingLeases:
    def __init__(self, client: Any) -> None:
        self._client = client

    async def acquire(
        self, phone_number_id: PhoneNumberId, holder: str, now: datetime, ttl: timedelta, pacing: NumberPacing | None
    ) -> SendingLease | None:
        reference = lease_reference(self._client, phone_number_id)

        @async_transactional
        async def take(transaction: Any) -> SendingLease | None:
            granted = grant(await read_record(reference, transaction), phone_number_id, holder, now, ttl, pacing)
            if granted is None:
                return None
            record, lease = granted
            transaction.set(reference, _fields(record))
            return lease

        lease: SendingLease | None = await take(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
        return lease

    async def release(self, lease: SendingLease, now: datetime, pacing: NumberPacing) -> None:
        reference = lease_reference(self._client, lease.phone_number_id)

        @async_transactional
        async def give_back(transaction: Any) -> None:
            record = released(await read_record(reference, transaction), lease, now, pacing)
            if record is not None:
                transaction.set(reference, _fields(record))

        await give_back(self._client.transaction(max_attempts=TRANSACTION_ATTEMPTS))
