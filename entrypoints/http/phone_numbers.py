"""`GET /v1/phone-numbers`: the business numbers this server serves, so a dashboard can filter by number."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from application.access import Action
from entrypoints.http.auth import requires
from entrypoints.http.problems import problem_responses
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import PhoneNumbersView, PhoneNumberView


@get(
    "/v1/phone-numbers",
    guards=[requires(Action.READ_MESSAGES)],
    responses=problem_responses(401, 403, 502),
    tags=["conversations"],
)
async def phone_numbers(request: Request[Any, Any, Any]) -> PhoneNumbersView:
    """Every number of the WABA as Meta lists it (asked at most every few minutes); 502 when Meta cannot say."""
    runtime: Runtime = request.app.state.runtime
    numbers = await runtime.use_cases.list_phone_numbers()
    return PhoneNumbersView(
        data=[
            PhoneNumberView(
                phone_number_id=number.id,
                display_phone_number=number.display_phone_number,
                verified_name=number.verified_name,
            )
            for number in numbers
        ]
    )
