"""The business phone numbers this server serves: every number of its WABA, as Meta lists them.

Meta allows the WABA's `phone_numbers` edge about 200 calls an hour, and a dashboard asks at every
start, so the answer is kept for a while; when Meta fails, the last answer is better than none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from application.ports import Clock, CloudApi, PhoneNumberInfo
from domain.ids import WabaId
from domain.meta_errors import CloudApiError

FRESH_FOR = timedelta(minutes=10)


class ListPhoneNumbers:
    def __init__(self, *, cloud_api: CloudApi, waba_id: WabaId, clock: Clock, fresh_for: timedelta = FRESH_FOR) -> None:
        self._cloud_api = cloud_api
        self._waba_id = waba_id
        self._clock = clock
        self._fresh_for = fresh_for
        self._known: list[PhoneNumberInfo] | None = None
        self._asked_at: datetime | None = None

    async def __call__(self) -> list[PhoneNumberInfo]:
        """Raises CloudApiError only when Meta fails and no earlier answer is known."""
        now = self._clock.now()
        if self._known is not None and self._asked_at is not None and now < self._asked_at + self._fresh_for:
            return self._known
        try:
            self._known = await self._cloud_api.phone_numbers(self._waba_id)
        except CloudApiError:
            if self._known is None:
                raise
            return self._known
        self._asked_at = now
        return self._known
