"""Whatever the Graph API (or a proxy in front of it) answers, GraphCloudApi raises one CloudApiError
carrying what Meta said, and whether another attempt may succeed.

A small aiohttp server on loopback plays the server, so each odd answer is exact and instant."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.cloud_api import graph_errors
from adapters.cloud_api.graph import GraphCloudApi
from domain.ids import PhoneNumberId
from domain.meta_errors import NETWORK_ERROR_CODE, CloudApiError

PHONE = PhoneNumberId("106540352242922")
Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def graph_answering(answer: Answer) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def error_from(answer: Answer, *, timeout_seconds: float = 5.0) -> CloudApiError:
    """The error GraphCloudApi raises when asked for the phone number and the server answers so."""
    async with graph_answering(answer) as url, GraphCloudApi("token", base_url=url, timeout_seconds=timeout_seconds) as graph:
        with pytest.raises(CloudApiError) as raised:
            await graph.phone_number_info(PHONE)
    return raised.value


def answering(status: int, *, text: str | None = None, json: object = None) -> Answer:
    async def answer(request: web.Request) -> web.StreamResponse:
        if json is not None:
            return web.json_response(json, status=status)
        return web.Response(status=status, text=text, content_type="text/html")

    return answer


def meta_error(status: int, **error: Any) -> Answer:
    return answering(status, json={"error": error})


async def test_a_proxy_page_instead_of_json_is_classified_by_its_http_status() -> None:
    gateway = await error_from(answering(502, text="<html><h1>502 Bad Gateway</h1></html>"))
    refused = await error_from(answering(403, text="<html>Forbidden</html>"))

    assert (gateway.code, gateway.http_status, gateway.retryable) == (502, 502, True)
    assert gateway.title == "Bad Gateway"
    assert gateway.details is not None and "502 Bad Gateway" in gateway.details
    assert (refused.code, refused.retryable) == (403, False)


async def test_json_that_is_not_metas_error_shape_counts_as_a_proxy_answer() -> None:
    error = await error_from(answering(429, json={"message": "slow down"}))

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
    error = await error_from(answering(200, text="<html>captive portal</html>"))

    assert (error.code, error.http_status, error.retryable, error.outcome_unknown) == (NETWORK_ERROR_CODE, 200, True, True)


async def test_nothing_listening_is_a_retryable_error_whose_request_never_left() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    async with GraphCloudApi("token", base_url=f"http://127.0.0.1:{port}") as graph:
        with pytest.raises(CloudApiError) as raised:
            await graph.phone_number_info(PHONE)

    error = raised.value
    assert (error.code, error.retryable, error.outcome_unknown) == (NETWORK_ERROR_CODE, True, False)
    assert error.details is not None and error.details.startswith("ClientConnectorError")


async def test_a_connection_dropped_after_the_request_left_has_an_unknown_outcome() -> None:
    async def hang_up(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    error = await error_from(hang_up)

    assert (error.code, error.retryable, error.outcome_unknown) == (NETWORK_ERROR_CODE, True, True)


async def test_no_answer_in_time_has_an_unknown_outcome() -> None:
    async def dawdle(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(1)
        return web.json_response({})

    error = await error_from(dawdle, timeout_seconds=0.1)

    assert (error.code, error.retryable, error.outcome_unknown) == (NETWORK_ERROR_CODE, True, True)


def test_a_connection_never_made_in_time_has_a_known_outcome() -> None:
    error = graph_errors.from_transport(aiohttp.ConnectionTimeoutError("no connection"))

    assert error.retryable and not error.outcome_unknown
