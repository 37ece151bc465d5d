"""Media records: one document per media id."""

from __future__ import annotations

from typing import Any

from adapters.firestore.documents import PAYLOAD, document_key, from_payload, to_payload
from application.records import MediaRecord


class FirestoreMediaStore:
    def __init__(self, client: Any) -> None:
        self._media = client.collection("media")

    async def save(self, record: MediaRecord) -> None:
        await self._media.document(document_key(record.id)).set({PAYLOAD: to_payload(record)})

    async def get(self, media_id: str) -> MediaRecord | None:
        snapshot = await self._media.document(document_key(media_id)).get()
        return from_payload(snapshot.to_dict(), MediaRecord) if snapshot.exists else None
