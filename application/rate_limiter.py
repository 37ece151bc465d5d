"""The dispatcher's memory of recent sends, asked before every Cloud API call.

The policies themselves are pure (domain.rate_limits); this keeps their state per business number
and per recipient for one dispatcher process.
"""

from __future__ import annotations

from datetime import datetime

from domain.ids import PhoneNumberId, WaId
from domain.rate_limits import PairRateLimit, PairState, Refuse, ThroughputLimit, ThroughputState, WaitUntil

PAIR_STATES_KEPT = 100_000


class RateLimiter:
    def __init__(
        self,
        throughput: ThroughputLimit,
        pair: PairRateLimit,
        per_number: dict[PhoneNumberId, ThroughputLimit] | None = None,
    ) -> None:
        self._default = throughput
        self._per_number = per_number or {}
        self._pair = pair
        self._throughput_states: dict[PhoneNumberId, ThroughputState] = {}
        self._pair_states: dict[tuple[PhoneNumberId, WaId], PairState] = {}

    def admit(self, phone_number_id: PhoneNumberId, wa_id: WaId, now: datetime) -> datetime | None:
        """Record a send and answer None when both limits allow it now, else the time to try again."""
        limit = self._per_number.get(phone_number_id, self._default)
        number_state = self._throughput_states.get(phone_number_id, ThroughputState())
        pair_key = (phone_number_id, wa_id)
        pair_state = self._pair_states.get(pair_key, PairState())
        for decision in (limit.decide(number_state, now), self._pair.decide(pair_state, now)):
            match decision:
                case WaitUntil(at=at):
                    return at
                case Refuse(reason=reason):
                    raise AssertionError(f"throughput and pair limits only ever ask to wait, not refuse: {reason}")
        self._throughput_states[phone_number_id] = limit.record(number_state, now)
        self._remember_pair(pair_key, self._pair.record(pair_state, now), now)
        return None

    def _remember_pair(self, key: tuple[PhoneNumberId, WaId], state: PairState, now: datetime) -> None:
        """Forget recipients whose cool-down is over: their fresh state is the default one."""
        if len(self._pair_states) >= PAIR_STATES_KEPT:
            self._pair_states = {
                k: s for k, s in self._pair_states.items() if s.next_free_at is not None and s.next_free_at > now
            }
        self._pair_states[key] = state
