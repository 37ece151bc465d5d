"""The WABA's numbers are asked of Meta at most once per freshness period, and Meta failing keeps the last answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.memory.clock import ManualClock
from adapters.memory.cloud_api import FakeCloudApi
from application.phone_numbers import FRESH_FOR, ListPhoneNumbers
from application.ports import PhoneNumberInfo
from domain.ids import PhoneNumberId, WabaId
from domain.meta_errors import CloudApiError

FRONT_DESK = PhoneNumberInfo(id=PhoneNumberId("106540352242922"), display_phone_number="15550783881", verified_name="Front desk")
RETURNS = PhoneNumberInfo(id=PhoneNumberId("106540352242923"), display_phone_number="15550783882", verified_name="Returns")
META_DOWN = CloudApiError(131016, "Service unavailable", http_status=503)


def listing(cloud_api: FakeCloudApi) -> tuple[ListPhoneNumbers, ManualClock]:
    clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    return ListPhoneNumbers(cloud_api=cloud_api, waba_id=WabaId("102290129340398"), clock=clock), clock


async def test_a_number_added_to_the_waba_shows_once_the_answer_is_no_longer_fresh() -> None:
    cloud_api = FakeCloudApi([FRONT_DESK])
    list_phone_numbers, clock = listing(cloud_api)
    assert await list_phone_numbers() == [FRONT_DESK]

    cloud_api.register_phone_number(RETURNS)
    clock.advance(FRESH_FOR / 2)
    assert await list_phone_numbers() == [FRONT_DESK]
    clock.advance(FRESH_FOR / 2)
    assert await list_phone_numbers() == [FRONT_DESK, RETURNS]


async def test_meta_failing_keeps_the_last_answer_and_asks_again_next_time() -> None:
    cloud_api = FakeCloudApi([FRONT_DESK])
    list_phone_numbers, clock = listing(cloud_api)
    await list_phone_numbers()
    cloud_api.register_phone_number(RETURNS)
    cloud_api.fail_next(META_DOWN, operation="phone_numbers")
    clock.advance(FRESH_FOR)

    assert await list_phone_numbers() == [FRONT_DESK]
    assert await list_phone_numbers() == [FRONT_DESK, RETURNS]


async def test_meta_failing_before_any_answer_is_raised() -> None:
    cloud_api = FakeCloudApi([FRONT_DESK])
    list_phone_numbers, _ = listing(cloud_api)
    cloud_api.fail_next(META_DOWN, operation="phone_numbers")

    with pytest.raises(CloudApiError) as refused:
        await list_phone_numbers()

    assert refused.value.code == 131016
