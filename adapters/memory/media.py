"""Media records kept in a dict by media id; records are frozen, so they are shared safely."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.rollback import Restore, saved
from application.records import MediaRecord


class InMemoryMediaStore:
    def __init__(self) -> None:
        self._records: dict[str, MediaRecord] = {}

    async def save(self, record: MediaRecord) -> None:
        self._records[record.id] = record

    def snapshot(self) -> Restore:
        """For the post writer's all-or-nothing: what to call to undo every change made after this."""
        return saved(self._records)

    async def get(self, media_id: str) -> MediaRecord | None:
        return self._records.get(media_id)

    async def due_downloads(self, now: datetime, limit: int) -> list[MediaRecord]:
        due = [r for r in self._records.values() if r.download is not None and r.download.due_at <= now]
        return sorted(due, key=lambda r: (r.download.due_at if r.download else now, r.id))[:limit]
