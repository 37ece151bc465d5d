"""The real clock: the only place wahub reads the time, so every rule can be tested at any moment."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        """UTC and timezone-aware, because Meta's timestamps and every stored time are compared in UTC."""
        return datetime.now(UTC)
