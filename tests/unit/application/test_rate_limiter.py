"""The dispatcher's rate limiter: a number's sends are paced a little under its throughput, never above it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.rate_limiter import MARGIN, RateLimiter
from domain.ids import CustomerId, PhoneNumberId
from domain.rate_limits import PairRateLimit, ThroughputLimit

NUMBER = PhoneNumberId("106540352242922")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def customer(n: int) -> CustomerId:
    return CustomerId(f"3161234{n:05d}")


def send_when_allowed(limiter: RateLimiter, n: int, now: datetime) -> datetime:
    """What the dispatcher does for one message: wait while the limiter says so, then record the send."""
    while (wait := limiter.check(NUMBER, customer(n), now)) is not None:
        now = wait
    limiter.record(NUMBER, customer(n), now)
    return now


def drain(limiter: RateLimiter, sends: int) -> list[datetime]:
    """Send as soon as the limiter allows, each to a new customer, and return the send times."""
    now, sent = T0, []
    for n in range(sends):
        now = send_when_allowed(limiter, n, now)
        sent.append(now)
    return sent


def test_a_backlog_goes_out_at_the_throughput_less_the_margin_in_small_steps() -> None:
    limiter = RateLimiter(ThroughputLimit(per_second=80), PairRateLimit())

    sent = drain(limiter, 401)

    assert sent[-1] - sent[0] == 5 * (timedelta(seconds=1) + MARGIN)
    assert max(b - a for a, b in zip(sent, sent[1:])) < timedelta(milliseconds=40)


def test_no_second_ever_holds_more_than_the_throughput_even_after_catching_up() -> None:
    limiter = RateLimiter(ThroughputLimit(per_second=10), PairRateLimit())
    sent = drain(limiter, 5)
    now = sent[-1] + timedelta(seconds=3)
    for n in range(5, 60):
        now = send_when_allowed(limiter, n, now)
        sent.append(now)

    assert all(sent[k] - sent[k - 10] >= timedelta(seconds=1) + MARGIN for k in range(10, len(sent)))


def test_room_counts_what_the_pace_and_the_tokens_allow_within_a_lead() -> None:
    limiter = RateLimiter(ThroughputLimit(per_second=1000), PairRateLimit())
    interval = (timedelta(seconds=1) + MARGIN) / 1000
    lead = timedelta(milliseconds=200)

    assert limiter.room(T0) == timedelta(milliseconds=20) // interval + 1
    assert limiter.room(T0, lead) == (lead + timedelta(milliseconds=20)) // interval + 1
    sent = drain(limiter, 1000)
    assert limiter.room(sent[-1]) == 0
    back = sum(1 for at in sent if at + timedelta(seconds=1) + MARGIN <= sent[-1] + lead)
    assert limiter.room(sent[-1], lead) == back > 0
