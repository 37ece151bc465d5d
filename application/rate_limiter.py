"""The dispatcher's memory of recent sends, asked before every Cloud API call.

The policies themselves are pure (domain.rate_limits); this keeps their state per business number
and per recipient for one dispatcher process. A number's sends never exceed N in any 1 s + `margin`
(so in any second), and are paced evenly at N per 1 s + margin: Meta, timing the requests after
the network, and the Cloud API call itself, a few microseconds after the limiter read the clock,
both see no more than N in any second as long as their delays vary by less than the margin. Besides
answering for one send, it tells how many sends the numbers allow at a moment (`room`), so the
dispatcher claims from the outbox only what it can send.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from application.records import NumberPacing
from domain.ids import CustomerId, PhoneNumberId
from domain.rate_limits import (
    SECOND,
    Pace,
    PaceState,
    PairRateLimit,
    PairState,
    Refuse,
    SendNow,
    ThroughputLimit,
    ThroughputState,
    WaitUntil,
)

PAIR_STATES_KEPT = 100_000
MARGIN = timedelta(milliseconds=3)
"""0.3 % under the limit, for 3 ms of jitter absorbed."""


class RateLimiter:
    def __init__(
        self,
        throughput: ThroughputLimit,
        pair: PairRateLimit,
        per_number: dict[PhoneNumberId, ThroughputLimit] | None = None,
        margin: timedelta = MARGIN,
    ) -> None:
        self._default = throughput
        self._per_number = per_number or {}
        self._pair = pair
        self._margin = margin
        self._held: dict[int, tuple[ThroughputLimit, Pace]] = {}
        self._throughput_states: dict[PhoneNumberId, tuple[ThroughputState, PaceState]] = {}
        self._pair_states: dict[tuple[PhoneNumberId, CustomerId], PairState] = {}

    def check(self, phone_number_id: PhoneNumberId, customer_id: CustomerId, now: datetime) -> datetime | None:
        """None when every limit allows a send now, else the time to try again; records nothing."""
        limit, pace = self._limits(phone_number_id)
        number_state, pace_state = self._throughput_states.get(phone_number_id, (ThroughputState(), PaceState()))
        pair_state = self._pair_states.get((phone_number_id, customer_id), PairState())
        decisions = (limit.decide(number_state, now), pace.decide(pace_state, now), self._pair.decide(pair_state, now))
        for decision in decisions:
            match decision:
                case WaitUntil(at=at):
                    return at
                case Refuse(reason=reason):
                    raise AssertionError(f"throughput and pair limits only ever ask to wait, not refuse: {reason}")
        return None

    def record(self, phone_number_id: PhoneNumberId, customer_id: CustomerId, at: datetime) -> None:
        """A send made at `at` (or before: a later time only holds its token longer)."""
        limit, pace = self._limits(phone_number_id)
        number_state, pace_state = self._throughput_states.get(phone_number_id, (ThroughputState(), PaceState()))
        self._throughput_states[phone_number_id] = (limit.record(number_state, at), pace.record(pace_state, at))
        pair_key = (phone_number_id, customer_id)
        pair_state = self._pair_states.get(pair_key, PairState())
        self._remember_pair(pair_key, self._pair.record(pair_state, at), at)

    def throughput_allows(self, phone_number_id: PhoneNumberId, now: datetime) -> bool:
        """Whether the number's throughput and pace alone would let one more message go now (the pair limit aside)."""
        limit, pace = self._limits(phone_number_id)
        number_state, pace_state = self._throughput_states.get(phone_number_id, (ThroughputState(), PaceState()))
        return isinstance(limit.decide(number_state, now), SendNow) and isinstance(pace.decide(pace_state, now), SendNow)

    def room(self, now: datetime, within: timedelta = timedelta(0)) -> int:
        """Sends the numbers' throughput and pace allow from `now` to `now + within`, summed over the numbers
        sent from (the default number's before any). A number not sent from yet is not counted: its
        first message is claimed within another's room, and from then on it counts."""
        until = now + within
        if not self._throughput_states:
            limit, pace = self._limits(None)
            return min(limit.per_second, pace.available(PaceState(), now, until))
        total = 0
        for number, (number_state, pace_state) in self._throughput_states.items():
            limit, pace = self._limits(number)
            total += min(limit.available(number_state, until), pace.available(pace_state, now, until))
        return total

    def pacing(self, phone_number_id: PhoneNumberId, now: datetime) -> NumberPacing:
        """The number's state worth handing on at `now`: sends still holding a token, recipients still cooling down."""
        limit, _ = self._limits(phone_number_id)
        number_state, pace_state = self._throughput_states.get(phone_number_id, (ThroughputState(), PaceState()))
        pairs = {
            customer: state
            for (number, customer), state in self._pair_states.items()
            if number == phone_number_id and state.next_free_at is not None and state.next_free_at > now
        }
        in_flight = ThroughputState(sent_at=tuple(at for at in number_state.sent_at if at > now - limit.window))
        return NumberPacing(throughput=in_flight, pace=pace_state, pairs=pairs)

    def resume(self, phone_number_id: PhoneNumberId, pacing: NumberPacing | None, unknown_until: datetime | None) -> None:
        """Carry on from another dispatcher's pacing of the number; with `unknown_until`, it may have sent more
        than it saved up to then, so the number's whole throughput counts as spent at that moment."""
        self.forget(phone_number_id)
        pacing = pacing or NumberPacing()
        limit, pace = self._limits(phone_number_id)
        number_state = pacing.throughput
        pace_state = pacing.pace
        if unknown_until is not None:
            number_state = limit.record(number_state, unknown_until, count=limit.per_second)
            pace_state = pace.record(pace_state, unknown_until)
        self._throughput_states[phone_number_id] = (number_state, pace_state)
        for customer, state in pacing.pairs.items():
            self._pair_states[(phone_number_id, customer)] = state

    def forget(self, phone_number_id: PhoneNumberId) -> None:
        """Drop what is known of the number: another dispatcher paces it now."""
        self._throughput_states.pop(phone_number_id, None)
        self._pair_states = {key: state for key, state in self._pair_states.items() if key[0] != phone_number_id}

    def _limits(self, phone_number_id: PhoneNumberId | None) -> tuple[ThroughputLimit, Pace]:
        """The number's throughput, held over 1 s + margin, and its pace of N per 1 s + margin."""
        meta = self._default if phone_number_id is None else self._per_number.get(phone_number_id, self._default)
        limits = self._held.get(meta.per_second)
        if limits is None:
            window = max(meta.window, SECOND + self._margin)
            limits = (ThroughputLimit(per_second=meta.per_second, window=window), Pace(interval=window / meta.per_second))
            self._held[meta.per_second] = limits
        return limits

    def _remember_pair(self, key: tuple[PhoneNumberId, CustomerId], state: PairState, now: datetime) -> None:
        """Forget recipients whose cool-down is over: their fresh state is the default one."""
        if len(self._pair_states) >= PAIR_STATES_KEPT:
            self._pair_states = {
                k: s for k, s in self._pair_states.items() if s.next_free_at is not None and s.next_free_at > now
            }
        self._pair_states[key] = state
