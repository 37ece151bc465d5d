"""A clock tests move by hand, so windows, leases and expiries are checked at exact instants."""

from __future__ import annotations

from datetime import datetime, timedelta


class ManualClock:
    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta | float) -> datetime:
        """Move forward by a timedelta or a number of seconds; returns the new time."""
        self._now += by if isinstance(by, timedelta) else timedelta(seconds=by)
        return self._now

    def set(self, at: datetime) -> None:
        self._now = _aware(at)


def _aware(at: datetime) -> datetime:
    """A naive time would only fail later, far away, when compared with a stored aware one."""
    if at.tzinfo is None:
        raise ValueError(f"ManualClock needs a timezone-aware time, got naive {at.isoformat()}")
    return at
