"""Whatever the Graph API (or a proxy in front of it) answers, GraphCloudApi raises one CloudApiError
carrying what Meta said, and whether another attempt may succeed.

httpx's in-memory MockTransport plays the server, so each odd answer is exact and instant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from adapters.cloud_api.graph import GraphCloudApi
from domain.ids import PhoneNumberId
from domain.meta_errors import NETWORK_ERROR_CODE, CloudApiError

PHONE = PhoneNumberId("106540352242922")


async def error_from(answer: Callable[[httpx.Request], httpx.Response]) -> CloudApiError:
    """The error GraphCloudApi raises when asked for the phone number and the server answers so."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        graph = GraphCloudApi("token", base_url="https://graph.example", client=client)
        with pytest.raises(CloudApiError) as raised:
            await graph.phone_number_info(PHONE)
    return raised.value


def meta_error(status: int, **error: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json={"error": error})


async def test_a_proxy_page_instead_of_json_is_classified_by_its_http_status() -> None:
    gateway = await error_from(lambda request: httpx.Response(502, text="<html><h1>502 Bad Gateway</h1></html>"))
    refused = await error_from(lambda request: httpx.Response(403, text="<html>Forbidden</html>"))

    assert (gateway.code, gateway.http_status, gateway.retryable) == (502, 502, True)
    assert gateway.details is not None and "502 Bad Gateway" in gateway.details
    assert (refused.code, refused.retryable) == (403, False)


async def test_json_that_is_not_metas_error_shape_counts_as_a_proxy_answer() -> None:
    error = await error_from(lambda request: httpx.Response(429, json={"message": "slow down"}))

    assert (error.code, error.http_status, error.retryable) == (429, 429, True)


async def test_a_string_error_data_becomes_the_details() -> None:
    answer = meta_error(
        400, message="(#100) Invalid parameter", code=100, error_data="Param name is too long", fbtrace_id="AbC"
    )

    error = await error_from(answer)

    assert (error.code, error.title, error.fbtrace_id) == (100, "Invalid parameter", "AbC")
    assert error.details == "Param name is too long"
    assert not error.retryable


async def test_metas_is_transient_flag_decides_retrying_over_the_code() -> None:
    flagged_transient = await error_from(meta_error(400, message="Invalid parameter", code=100, is_transient=True))
    flagged_permanent = await error_from(meta_error(500, message="Something wrong", code=131000, is_transient=False))

    assert flagged_transient.retryable and not flagged_permanent.retryable


async def test_an_error_with_only_a_code_still_carries_it_and_its_classification() -> None:
    error = await error_from(meta_error(400, code=131056))

    assert (error.code, error.title, error.details, error.subcode, error.fbtrace_id) == (
        131056, "Graph API error", None, None, None
    )
    assert error.http_status == 400 and error.retryable


async def test_the_user_message_stands_in_for_missing_details() -> None:
    error = await error_from(
        meta_error(400, message="(#132000) Number of parameters does not match", code=132000, error_subcode=2494073,
                   error_user_msg="The template needs 2 parameters")
    )

    assert (error.title, error.details, error.subcode) == (
        "Number of parameters does not match", "The template needs 2 parameters", 2494073
    )


async def test_an_error_object_without_a_code_counts_as_a_proxy_answer() -> None:
    error = await error_from(meta_error(503, message="Service unavailable"))

    assert (error.code, error.http_status, error.retryable) == (503, 503, True)


async def test_a_success_status_with_an_unreadable_body_may_be_retried() -> None:
    error = await error_from(lambda request: httpx.Response(200, text="<html>captive portal</html>"))

    assert (error.code, error.http_status, error.retryable) == (NETWORK_ERROR_CODE, 200, True)


async def test_no_answer_at_all_is_a_retryable_network_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    error = await error_from(refuse)

    assert error.code == NETWORK_ERROR_CODE and error.retryable
    assert error.details == "ConnectError: connection refused"


@pytest.mark.parametrize(
    ("failure", "unknown"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("no connection"), False),
        (httpx.ReadTimeout("no answer in time"), True),
        (httpx.RemoteProtocolError("closed mid-answer"), True),
    ],
    ids=["refused", "connect timeout", "read timeout", "dropped mid-answer"],
)
async def test_only_a_request_that_never_left_has_a_known_outcome(failure: httpx.HTTPError, unknown: bool) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    error = await error_from(fail)

    assert error.code == NETWORK_ERROR_CODE and error.retryable and error.outcome_unknown is unknown
