from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from datetime import UTC, datetime, timedelta
from itertools import cycle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.ids import CustomerId
from domain.rate_limits import (
    TIER_250,
    TIERS,
    UNLIMITED,
    MessagingTier,
    PairRateLimit,
    PairState,
    Refuse,
    SendNow,
    ThroughputLimit,
    ThroughputState,
    WaitUntil,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def us(n: int) -> timedelta:
    return timedelta(microseconds=n)


def customer(n: int) -> CustomerId:
    return CustomerId(f"3161234{n:05d}")


# --- throughput -------------------------------------------------------------------------------


def test_the_81st_message_in_the_same_second_waits_for_the_first_token_to_come_back() -> None:
    limit = ThroughputLimit()
    state = limit.record(ThroughputState(), T0, count=80)

    assert limit.available(state, T0 + us(999_999)) == 0
    assert limit.decide(state, T0 + timedelta(milliseconds=500)) == WaitUntil(at=T0 + SECOND)
    assert limit.decide(state, T0 + SECOND) == SendNow()
    assert limit.available(state, T0 + SECOND) == 80


def test_a_dispatcher_that_wakes_late_may_send_every_token_returned_meanwhile() -> None:
    limit = ThroughputLimit(per_second=10)
    state = ThroughputState()
    for tenth in range(10):
        state = limit.record(state, T0 + tenth * SECOND / 10)

    assert limit.available(state, T0 + SECOND * 1.45) == 5


def test_tokens_come_back_in_the_order_they_were_spent() -> None:
    limit = ThroughputLimit(per_second=3)
    state = ThroughputState()
    for at in (T0, T0 + us(300_000), T0 + us(600_000), T0 + SECOND):
        state = limit.record(state, at)

    assert limit.decide(state, T0 + us(1_100_000)) == WaitUntil(at=T0 + us(1_300_000))


def test_sends_past_the_cap_are_recorded_and_delay_later_sends_longer() -> None:
    limit = ThroughputLimit(per_second=2)
    state = limit.record(ThroughputState(), T0, count=3)

    assert limit.available(state, T0 + us(500_000)) == 0
    assert limit.decide(state, T0 + us(500_000)) == WaitUntil(at=T0 + SECOND)


@pytest.mark.parametrize("per_second", [0, -5, 1001])
def test_throughput_outside_metas_range_is_refused(per_second: int) -> None:
    with pytest.raises(DomainError, match="between 1 and 1000"):
        ThroughputLimit(per_second=per_second)


def test_coexistence_and_upgraded_numbers_are_valid_throughputs() -> None:
    assert ThroughputLimit(per_second=20).per_second == 20
    assert ThroughputLimit(per_second=1000).per_second == 1000


def dispatch(limit: ThroughputLimit, arrivals: list[int], lateness: list[int]) -> list[int]:
    """Send whatever is queued as soon as the policy allows; wake (possibly late) when told to wait.

    Times are microseconds after T0; returns the send times.
    """
    queue: deque[int] = deque()
    pending = deque(arrivals)
    sends: list[int] = []
    state = ThroughputState()
    now = 0
    late = cycle(lateness)
    while pending or queue:
        while pending and pending[0] <= now:
            queue.append(pending.popleft())
        batch = min(len(queue), limit.available(state, T0 + us(now)))
        if batch:
            state = limit.record(state, T0 + us(now), count=batch)
            sends.extend([now] * batch)
            for _ in range(batch):
                queue.popleft()
        now = next_wake(limit.decide(state, T0 + us(now)), queue, pending, now) + next(late)
    return sends


def next_wake(decision: object, queue: deque[int], pending: deque[int], now: int) -> int:
    if queue and isinstance(decision, WaitUntil):
        return (decision.at - T0) // us(1)
    return pending[0] if pending else now


def most_in_any_window(sends: list[int], width: int) -> int:
    """The busiest half-open window [a, a + width) starts at a send, so only those need checking."""
    return max((bisect_left(sends, start + width) - i for i, start in enumerate(sends)), default=0)


arrival_schedules = st.lists(st.integers(min_value=0, max_value=5_000_000), max_size=600).map(sorted)


@settings(max_examples=150, deadline=None)
@given(
    per_second=st.integers(min_value=1, max_value=120),
    arrivals=arrival_schedules,
    lateness=st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=10),
)
def test_throughput_never_exceeds_n_sends_in_any_one_second_window(
    per_second: int, arrivals: list[int], lateness: list[int]
) -> None:
    sends = dispatch(ThroughputLimit(per_second=per_second), arrivals, lateness)

    assert len(sends) == len(arrivals)
    assert most_in_any_window(sends, 1_000_000) <= per_second


@settings(max_examples=25, deadline=None)
@given(
    per_second=st.sampled_from([20, 80, 1000]) | st.integers(min_value=1, max_value=1000),
    spread=st.integers(min_value=0, max_value=999_999),
    lateness=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=10),
)
def test_throughput_sends_at_least_n_per_second_while_demand_exceeds_it(
    per_second: int, spread: int, lateness: list[int]
) -> None:
    seconds = 20
    demand = 2 * per_second * seconds
    arrivals = sorted(i * spread // demand for i in range(demand))

    sends = dispatch(ThroughputLimit(per_second=per_second), arrivals, lateness)

    sent_in_run = bisect_left(sends, seconds * 1_000_000)
    assert sent_in_run >= 0.98 * per_second * seconds
    assert most_in_any_window(sends, 1_000_000) <= per_second


# --- pair rate --------------------------------------------------------------------------------


def send_burst(limit: PairRateLimit, state: PairState, at: datetime, count: int) -> PairState:
    for _ in range(count):
        assert limit.decide(state, at) == SendNow()
        state = limit.record(state, at)
    return state


def test_a_burst_of_20_to_one_customer_is_followed_by_a_two_minute_cool_down() -> None:
    limit = PairRateLimit()
    state = send_burst(limit, PairState(), T0, 20)

    assert limit.decide(state, T0 + timedelta(seconds=7)) == WaitUntil(at=T0 + timedelta(minutes=2))
    assert limit.decide(state, T0 + timedelta(minutes=2)) == SendNow()


def test_one_message_every_six_seconds_never_waits() -> None:
    limit = PairRateLimit()
    state = PairState()
    for n in range(10):
        assert limit.decide(state, T0 + n * timedelta(seconds=6)) == SendNow()
        state = limit.record(state, T0 + n * timedelta(seconds=6))


def test_a_burst_stops_at_45_messages() -> None:
    limit = PairRateLimit()
    state = send_burst(limit, PairState(), T0, 45)

    assert limit.decide(state, T0 + SECOND) == WaitUntil(at=T0 + 45 * timedelta(seconds=6))


def test_a_burst_may_only_borrow_within_its_first_six_seconds() -> None:
    limit = PairRateLimit()
    state = send_burst(limit, PairState(), T0, 2)

    assert limit.decide(state, T0 + timedelta(seconds=6)) == WaitUntil(at=T0 + timedelta(seconds=12))


def test_pair_interval_and_burst_are_configurable() -> None:
    limit = PairRateLimit(interval=timedelta(seconds=2), burst=3)
    state = send_burst(limit, PairState(), T0, 3)

    assert limit.decide(state, T0) == WaitUntil(at=T0 + timedelta(seconds=6))


def test_a_pair_limit_without_pace_is_refused() -> None:
    with pytest.raises(DomainError):
        PairRateLimit(interval=timedelta(0))
    with pytest.raises(DomainError):
        PairRateLimit(burst=0)


def pair_dispatch(arrivals: list[int]) -> list[int]:
    limit = PairRateLimit()
    state = PairState()
    sends: list[int] = []
    for arrival in arrivals:
        now = max(arrival, sends[-1] if sends else arrival)
        decision = limit.decide(state, T0 + us(now))
        if isinstance(decision, WaitUntil):
            now = (decision.at - T0) // us(1)
            assert limit.decide(state, decision.at) == SendNow()
        state = limit.record(state, T0 + us(now))
        sends.append(now)
    return sends


def exceeds_metas_allowance(sends: list[int]) -> bool:
    """Independent check of Meta's allowance: 45 + one per started 6 s in any window [a, b).

    The tightest windows start at a send and end just after one, so those pairs suffice.
    """
    six = 6_000_000
    for i, start in enumerate(sends):
        for j in range(i, len(sends)):
            width = sends[j] - start + 1
            if j - i + 1 > 45 + math.ceil(width / six):
                return True
    return False


@settings(max_examples=150, deadline=None)
@given(arrivals=st.lists(st.integers(min_value=0, max_value=900_000_000), max_size=150).map(sorted))
def test_the_pair_policy_never_exceeds_metas_allowance_for_one_recipient(arrivals: list[int]) -> None:
    sends = pair_dispatch(arrivals)

    assert not exceeds_metas_allowance(sends)
    assert most_in_any_window(sends, 6_000_000) <= 45


@settings(max_examples=50, deadline=None)
@given(
    bursts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=400_000_000), st.integers(min_value=1, max_value=60)),
        max_size=6,
    )
)
def test_the_pair_policy_holds_meta_allowance_under_bursty_demand(bursts: list[tuple[int, int]]) -> None:
    arrivals = sorted(at for start, size in bursts for at in [start] * size)

    sends = pair_dispatch(arrivals)

    assert not exceeds_metas_allowance(sends)
    assert most_in_any_window(sends, 6_000_000) <= 45


# --- messaging tier ---------------------------------------------------------------------------


def reach(tier: MessagingTier, count: int, at: datetime) -> dict[CustomerId, datetime]:
    recipients: dict[CustomerId, datetime] = {}
    for n in range(count):
        assert tier.decide(recipients, customer(n), at) == SendNow()
        recipients = tier.record(recipients, customer(n), at)
    return recipients


def test_the_251st_new_recipient_is_refused_until_the_first_slot_frees() -> None:
    recipients = reach(TIER_250, 250, T0)

    decision = TIER_250.decide(recipients, customer(250), T0 + timedelta(hours=3))

    assert isinstance(decision, Refuse)
    assert "250" in decision.reason
    assert (T0 + timedelta(hours=24)).isoformat() in decision.reason


def test_a_recipient_already_reached_today_does_not_take_another_slot() -> None:
    recipients = reach(TIER_250, 250, T0)

    assert TIER_250.decide(recipients, customer(7), T0 + timedelta(hours=23)) == SendNow()


def test_a_slot_frees_24_hours_after_the_recipient_was_reached() -> None:
    recipients = reach(TIER_250, 250, T0)

    assert TIER_250.decide(recipients, customer(250), T0 + timedelta(hours=24)) == SendNow()


def test_reaching_a_recipient_again_keeps_them_counted_for_24_hours_more() -> None:
    tier = MessagingTier(limit=1)
    recipients = tier.record({}, customer(1), T0)
    recipients = tier.record(recipients, customer(1), T0 + timedelta(hours=20))

    decision = tier.decide(recipients, customer(2), T0 + timedelta(hours=30))

    assert isinstance(decision, Refuse)
    assert (T0 + timedelta(hours=44)).isoformat() in decision.reason


def test_recording_forgets_recipients_reached_more_than_24_hours_ago() -> None:
    recipients = reach(TIER_250, 3, T0)

    assert TIER_250.record(recipients, customer(9), T0 + timedelta(hours=25)) == {
        customer(9): T0 + timedelta(hours=25)
    }


def test_the_unlimited_tier_never_refuses() -> None:
    recipients = reach(TIER_250, 250, T0)

    assert UNLIMITED.decide(recipients, customer(999), T0) == SendNow()


def test_metas_tiers_climb_from_250_to_unlimited() -> None:
    assert [tier.limit for tier in TIERS] == [250, 2_000, 10_000, 100_000, None]


def test_a_tier_without_room_for_anyone_is_refused() -> None:
    with pytest.raises(DomainError):
        MessagingTier(limit=0)


def distinct_in_any_rolling_day(sends: list[tuple[int, CustomerId]]) -> int:
    """Independent check: distinct recipients in (t - 24 h, t] for every send time t."""
    day = 24 * 3600
    return max((len({who for at, who in sends if t - day < at <= t}) for t, _ in sends), default=0)


@settings(max_examples=100, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=5),
    requests=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4 * 24 * 3600), st.integers(min_value=0, max_value=9)),
        max_size=60,
    ),
)
def test_the_tier_never_admits_more_than_its_limit_in_any_rolling_24_hours(
    limit: int, requests: list[tuple[int, int]]
) -> None:
    tier = MessagingTier(limit=limit)
    recipients: dict[CustomerId, datetime] = {}
    sends: list[tuple[int, CustomerId]] = []
    for second, who in sorted(requests):
        now = T0 + timedelta(seconds=second)
        if tier.decide(recipients, customer(who), now) == SendNow():
            recipients = tier.record(recipients, customer(who), now)
            sends.append((second, customer(who)))

    assert distinct_in_any_rolling_day(sends) <= limit
