"""Media records kept in a dict by media id; records are frozen, so they are shared safely."""

from __future__ import annotations

from application.records import MediaRecord


class InMemoryMediaStore:
    def __init__(self) -> None:
        self._records: dict[str, MediaRecord] = {}

    async def save(self, record: MediaRecord) -> None:
        self._records[record.id] = record

    async def get(self, media_id: str) -> MediaRecord | None:
        return self._records.get(media_id)
