"""Idempotency-Key bindings kept in a dict; an expired binding is simply replaced by the next claim."""

from __future__ import annotations

from datetime import datetime

from application.records import CachedResult
from domain.ids import MessageId


class InMemoryIdempotencyKeys:
    def __init__(self) -> None:
        self._bindings: dict[str, CachedResult] = {}

    async def claim(self, key: str, message_id: MessageId, expires_at: datetime, now: datetime) -> CachedResult:
        """No await between the check and the bind: two racing POSTs with one key get one binding."""
        bound = self._bindings.get(key)
        if bound is not None and now < bound.expires_at:
            return bound
        fresh = CachedResult(message_id=message_id, expires_at=expires_at)
        self._bindings[key] = fresh
        return fresh

    async def prune_expired(self, now: datetime, limit: int) -> int:
        doomed = [key for key, bound in self._bindings.items() if bound.expires_at <= now][: max(limit, 0)]
        for key in doomed:
            del self._bindings[key]
        return len(doomed)
