"""IdempotencyKeys contract: the first unexpired binding of a key wins; an expired one is replaced."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from application.ports import IdempotencyKeys
from application.records import CachedResult
from tests.contract.examples import MONDAY, message_id, minutes

DAY = timedelta(days=1)
KEY = "order-1042-shipped"


async def test_the_first_claim_binds_the_key(idempotency_keys: IdempotencyKeys) -> None:
    binding = await idempotency_keys.claim(KEY, message_id(1), MONDAY + DAY, now=MONDAY)

    assert binding == CachedResult(message_id=message_id(1), expires_at=MONDAY + DAY)


async def test_a_retry_gets_the_first_binding_back(idempotency_keys: IdempotencyKeys) -> None:
    await idempotency_keys.claim(KEY, message_id(1), MONDAY + DAY, now=MONDAY)

    retry = await idempotency_keys.claim(KEY, message_id(2), MONDAY + minutes(1) + DAY, now=MONDAY + minutes(1))

    assert retry == CachedResult(message_id=message_id(1), expires_at=MONDAY + DAY)


async def test_racing_claims_agree_on_one_binding(idempotency_keys: IdempotencyKeys) -> None:
    bindings = await asyncio.gather(
        *(idempotency_keys.claim(KEY, message_id(n), MONDAY + DAY, now=MONDAY) for n in range(3))
    )

    assert len({b.message_id for b in bindings}) == 1


async def test_an_expired_binding_is_replaced(idempotency_keys: IdempotencyKeys) -> None:
    await idempotency_keys.claim(KEY, message_id(1), MONDAY + DAY, now=MONDAY)

    fresh = await idempotency_keys.claim(KEY, message_id(2), MONDAY + 3 * DAY, now=MONDAY + DAY)

    assert fresh == CachedResult(message_id=message_id(2), expires_at=MONDAY + 3 * DAY)


async def test_keys_are_independent(idempotency_keys: IdempotencyKeys) -> None:
    await idempotency_keys.claim(KEY, message_id(1), MONDAY + DAY, now=MONDAY)

    other = await idempotency_keys.claim("order-1043-shipped", message_id(2), MONDAY + DAY, now=MONDAY)

    assert other.message_id == message_id(2)


async def test_pruning_deletes_expired_bindings_only(idempotency_keys: IdempotencyKeys) -> None:
    await idempotency_keys.claim("expired-1", message_id(1), expires_at=MONDAY, now=MONDAY - DAY)
    await idempotency_keys.claim("expired-2", message_id(2), expires_at=MONDAY + minutes(1), now=MONDAY - DAY)
    await idempotency_keys.claim(KEY, message_id(3), expires_at=MONDAY + DAY, now=MONDAY)

    pruned = await idempotency_keys.prune_expired(MONDAY + minutes(1), limit=10)
    again = await idempotency_keys.prune_expired(MONDAY + minutes(1), limit=10)
    kept = await idempotency_keys.claim(KEY, message_id(4), expires_at=MONDAY + 2 * DAY, now=MONDAY + minutes(2))

    assert (pruned, again) == (2, 0)
    assert kept == CachedResult(message_id=message_id(3), expires_at=MONDAY + DAY)
