"""Media records: one document per media id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import PAYLOAD, document_key, from_payload, to_payload, utc
from application.records import MediaRecord

DOWNLOAD_DUE = "download_due_at"


class FirestoreMediaStore:
    def __init__(self, client: Any) -> None:
        self._media = client.collection("media")

    async def save(self, record: MediaRecord) -> None:
        await self._media.document(document_key(record.id)).set(media_fields(record))

    async def get(self, media_id: str) -> MediaRecord | None:
        snapshot = await self._media.document(document_key(media_id)).get()
        return from_payload(snapshot.to_dict(), MediaRecord) if snapshot.exists else None

    async def due_downloads(self, now: datetime, limit: int) -> list[MediaRecord]:
        """A single-field range on `download_due_at`: served by Firestore's automatic index, no composite one."""
        query = self._media.where(filter=FieldFilter(DOWNLOAD_DUE, "<=", utc(now))).order_by(DOWNLOAD_DUE).limit(limit)
        return [from_payload(snapshot.to_dict(), MediaRecord) async for snapshot in query.stream()]


def media_fields(record: MediaRecord) -> dict[str, Any]:
    due = utc(record.download.due_at) if record.download else None
    return {PAYLOAD: to_payload(record), DOWNLOAD_DUE: due}
