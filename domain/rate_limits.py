"""Meta's rate and volume limits, as policies a dispatcher asks before each send.

Each policy is a frozen config Struct whose `decide` answers, for a state and the current time,
whether to send now, wait until a given moment, or give up; `record` returns the state after sends
that really happened. Nothing here reads a clock: the dispatcher passes `now` (timezone-aware UTC).
Sending past these limits is not fatal at Meta, but it costs a 130429/131056 failure and a back-off,
so the dispatcher holds messages back instead.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import datetime, timedelta

import msgspec

from domain.errors import DomainError
from domain.ids import CustomerId

SECOND = timedelta(seconds=1)
ROLLING_DAY = timedelta(hours=24)


class SendNow(msgspec.Struct, frozen=True, kw_only=True):
    pass


class WaitUntil(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime


class Refuse(msgspec.Struct, frozen=True, kw_only=True):
    """Waiting a little will not help; the reason is worded to be shown to a user as it is."""

    reason: str


Decision = SendNow | WaitUntil | Refuse


class ThroughputState(msgspec.Struct, frozen=True, kw_only=True):
    """When each send of the last second happened, oldest first (one entry per message)."""

    sent_at: tuple[datetime, ...] = ()


class ThroughputLimit(msgspec.Struct, frozen=True, kw_only=True):
    """Meta's messages-per-second cap on one business number (80 by default, 1,000 once upgraded, 20 in coexistence).

    A token bucket of `per_second` tokens in which each spent token comes back exactly one second
    after it was spent, i.e. a log of the sends of the last second. A continuously refilled bucket
    (N/s trickling back) would not hold Meta's cap: a full bucket spent at the end of one second
    plus the N tokens refilled during the next second make 2N sends within a single 1-second
    window. Here a token spent at t is free again only at t + 1 s, so no half-open 1-second window
    ever holds more than N sends, while a dispatcher that wakes late may still send, in one batch,
    every token that has come back meanwhile.
    """

    per_second: int = 80
    window: timedelta = SECOND
    """Meta counts per second; a sender may hold its tokens a little longer, to keep a margin for the network."""

    def __post_init__(self) -> None:
        if not 1 <= self.per_second <= 1000:
            raise DomainError(
                f"throughput must be between 1 and 1000 messages per second (Meta's highest tier); got {self.per_second}"
            )
        if self.window < SECOND:
            raise DomainError(f"a throughput window shorter than Meta's second would exceed its cap; got {self.window}")

    def available(self, state: ThroughputState, now: datetime) -> int:
        return max(0, self.per_second - len(self._in_flight(state.sent_at, now)))

    def decide(self, state: ThroughputState, now: datetime) -> Decision:
        in_flight = self._in_flight(state.sent_at, now)
        if len(in_flight) < self.per_second:
            return SendNow()
        return WaitUntil(at=in_flight[len(in_flight) - self.per_second] + self.window)

    def record(self, state: ThroughputState, now: datetime, count: int = 1) -> ThroughputState:
        """Sends are facts: they are recorded even past the cap, which only delays later sends longer."""
        in_flight = self._in_flight(state.sent_at, now)
        at = bisect_right(in_flight, now)
        return ThroughputState(sent_at=in_flight[:at] + (now,) * count + in_flight[at:])

    def _in_flight(self, sent_at: tuple[datetime, ...], now: datetime) -> tuple[datetime, ...]:
        """A token spent at t is back at t + window, so only sends after now - window still hold one."""
        return sent_at[bisect_right(sent_at, now - self.window) :]


class PaceState(msgspec.Struct, frozen=True, kw_only=True):
    """When the next send is due on an even schedule; None before the first."""

    due_at: datetime | None = None


class Pace(msgspec.Struct, frozen=True, kw_only=True):
    """Sends spread evenly, one per `interval` (a GCRA): a sender that wakes late may catch up, by at most `slack`.

    ThroughputLimit alone lets a whole second's tokens go in one burst, and they come back as one
    burst each second after. A receiver that times the requests of a burst a little differently from
    the sender (Meta, past the network) may then count more than the limit in a second. Sends spread
    evenly at a little under the limit leave every send that margin to arrive late.
    """

    interval: timedelta
    slack: timedelta = timedelta(milliseconds=20)

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0) or self.slack < timedelta(0):
            raise DomainError(f"a pace needs a positive interval and a slack of 0 or more; got {self.interval} and {self.slack}")

    def decide(self, state: PaceState, now: datetime) -> Decision:
        if state.due_at is None or now >= state.due_at - self.slack:
            return SendNow()
        return WaitUntil(at=state.due_at - self.slack)

    def record(self, state: PaceState, now: datetime) -> PaceState:
        """The schedule moves on from the send's due time, or from now if the send came later than that."""
        due = now if state.due_at is None else max(state.due_at, now)
        return PaceState(due_at=due + self.interval)

    def available(self, state: PaceState, now: datetime, until: datetime | None = None) -> int:
        """Sends the pace allows from `now` up to `until` (by default, at once at `now`)."""
        until = now if until is None else until
        due = now if state.due_at is None else max(state.due_at, now)
        if until + self.slack < due:
            return 0
        return (until + self.slack - due) // self.interval + 1


class PairState(msgspec.Struct, frozen=True, kw_only=True):
    """The current burst to one recipient; `next_free_at` is None before the first message."""

    burst_started_at: datetime | None = None
    burst_count: int = 0
    next_free_at: datetime | None = None


class PairRateLimit(msgspec.Struct, frozen=True, kw_only=True):
    """Meta's per-recipient pace (error 131056): one message per 6 s to the same user.

    A burst of up to 45 messages within 6 s is allowed but borrows future quota: after a burst of
    k messages the next one may only go k * 6 s after the burst started (a burst of 20 means a
    cool-down of about two minutes).
    """

    interval: timedelta = timedelta(seconds=6)
    burst: int = 45

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0) or self.burst < 1:
            raise DomainError(
                f"a pair rate limit needs a positive interval and a burst of at least 1; got {self.interval} and {self.burst}"
            )

    def decide(self, state: PairState, now: datetime) -> Decision:
        if state.next_free_at is None or now >= state.next_free_at or self._may_borrow(state, now):
            return SendNow()
        return WaitUntil(at=state.next_free_at)

    def record(self, state: PairState, now: datetime) -> PairState:
        if state.burst_started_at is None or state.next_free_at is None or now >= state.next_free_at:
            return PairState(burst_started_at=now, burst_count=1, next_free_at=now + self.interval)
        return PairState(
            burst_started_at=state.burst_started_at,
            burst_count=state.burst_count + 1,
            next_free_at=state.next_free_at + self.interval,
        )

    def _may_borrow(self, state: PairState, now: datetime) -> bool:
        """Only the first interval of a burst may borrow, and only up to `burst` messages."""
        return (
            state.burst_started_at is not None
            and now < state.burst_started_at + self.interval
            and state.burst_count < self.burst
        )


class MessagingTier(msgspec.Struct, frozen=True, kw_only=True):
    """Meta's messaging limit: unique users a business may reach first (outside a customer-service
    window) in a moving 24 h. `limit` None is the unlimited tier.

    Recipients are kept as the last time each was messaged business-initiated: a user messaged
    again within the 24 h stays counted once, and stays counted 24 h from that latest message.
    """

    limit: int | None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise DomainError(f"a messaging tier allows at least 1 recipient per 24 h; got {self.limit}")

    def decide(self, recipients: Mapping[CustomerId, datetime], recipient: CustomerId, now: datetime) -> Decision:
        if self.limit is None:
            return SendNow()
        counted = _counted_since(recipients, now - ROLLING_DAY)
        if recipient in counted or len(counted) < self.limit:
            return SendNow()
        frees_at = min(counted.values()) + ROLLING_DAY
        return Refuse(
            reason=f"the messaging tier allows {self.limit} unique business-initiated recipients per rolling 24 h "
            f"and all are used; the next slot frees at {frees_at.isoformat()}"
        )

    def record(self, recipients: Mapping[CustomerId, datetime], recipient: CustomerId, now: datetime) -> dict[CustomerId, datetime]:
        """Recipients messaged more than 24 h ago no longer count, so they are dropped."""
        return _counted_since(recipients, now - ROLLING_DAY) | {recipient: now}


def _counted_since(recipients: Mapping[CustomerId, datetime], since: datetime) -> dict[CustomerId, datetime]:
    return {customer: at for customer, at in recipients.items() if at > since}


TIER_250 = MessagingTier(limit=250)
TIER_2K = MessagingTier(limit=2_000)
TIER_10K = MessagingTier(limit=10_000)
TIER_100K = MessagingTier(limit=100_000)
UNLIMITED = MessagingTier(limit=None)
TIERS = (TIER_250, TIER_2K, TIER_10K, TIER_100K, UNLIMITED)
"""Meta's tiers in the order a portfolio climbs them."""
