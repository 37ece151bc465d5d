"""The access token goes only where Meta's media lives: media ids cannot leave their Graph path segment,
and download URLs from a tampered answer are refused before any request carries the token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar, Request, route
from litestar.params import FromPath

from adapters.cloud_api.graph import GraphCloudApi
from domain.meta_errors import CloudApiError
from entrypoints.simulator.server import serving

TOKEN = "token-that-must-stay-home"


@pytest.fixture
async def witness() -> AsyncIterator[tuple[str, list[str]]]:
    """A real HTTP server that records every request it receives: the place a leaked token would reach."""
    seen: list[str] = []

    @route("/{path:path}", http_method=["GET", "DELETE", "POST"], sync_to_thread=False)
    def anything(request: Request[object, object, object], path: FromPath[str]) -> str:
        seen.append(f"{request.method} {request.url} {request.headers.get('authorization')}")
        return "{}"

    async with serving(Litestar([anything])) as url:
        yield url, seen


@pytest.mark.parametrize("media_id", ["../../_sim/messages", "1234?fields=x#", "12/34", "", "%2e%2e", "1234 "])
async def test_a_media_id_that_is_not_digits_is_refused_before_any_request(
    witness: tuple[str, list[str]], media_id: str
) -> None:
    url, seen = witness
    async with GraphCloudApi(TOKEN, base_url=url) as api:
        with pytest.raises(CloudApiError) as located:
            await api.media_url(media_id)
        with pytest.raises(CloudApiError) as deleted:
            await api.delete_media(media_id)

    assert seen == []
    assert "media id" in str(located.value) and not located.value.retryable and not deleted.value.retryable


async def test_a_media_id_of_digits_reaches_its_graph_path(witness: tuple[str, list[str]]) -> None:
    url, seen = witness
    async with GraphCloudApi(TOKEN, base_url=url) as api:
        with pytest.raises(CloudApiError):  # the witness answers {} rather than a media URL
            await api.media_url("1234567890")

    assert seen == [f"GET {url}/v23.0/1234567890 Bearer {TOKEN}"]


@pytest.mark.parametrize(
    "download_url",
    [
        "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",  # Meta's host, but in clear text
        "https://lookaside.fbsbx.com.evil.example/attachments/?mid=1",
        "https://evil.example/whatsapp_business/attachments/?mid=1",
        "{witness}/steal",  # a host we serve, but not the configured Graph host
    ],
)
async def test_the_token_is_never_sent_to_a_download_url_off_the_allow_list(
    witness: tuple[str, list[str]], download_url: str
) -> None:
    url, seen = witness
    async with GraphCloudApi(TOKEN, base_url="http://127.0.0.1:9") as api:
        with pytest.raises(CloudApiError) as refused:
            await api.download_media(download_url.format(witness=url))

    assert seen == [] and not refused.value.retryable and "not a media host" in str(refused.value)


async def test_downloads_from_the_configured_graph_host_carry_the_token(witness: tuple[str, list[str]]) -> None:
    url, seen = witness
    async with GraphCloudApi(TOKEN, base_url=url) as api:
        await api.download_media(f"{url}/_sim/media/abc")

    assert seen == [f"GET {url}/_sim/media/abc Bearer {TOKEN}"]
