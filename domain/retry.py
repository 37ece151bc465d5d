"""When to try a failed send again: exponential backoff with jitter.

Half of each delay is fixed, so a retry never comes back at once; the other half is random, which
keeps many messages that failed together (a throughput limit, a Meta outage) from all
coming back in the same instant and failing together again.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=5)

    def gives_up_after(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempts: int, jitter: float) -> timedelta:
        """`jitter` in [0, 1) picks a point in the upper half of the exponential ceiling."""
        ceiling = min(self.cap, self.base * (1 << max(attempts - 1, 0)))
        return ceiling * (0.5 + jitter / 2)
