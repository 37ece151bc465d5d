"""The CloudApi port over Meta's Graph API, with one pooled aiohttp session.

httpx's own transport (httpcore) cost ~2-4 ms of CPU per call at 64 in flight, httpx over aiohttp's
transport ~0.45 ms and aiohttp alone ~0.2 ms (bench/http_client.py, docs/bench.md): at Meta's top tier
of 1,000 sends/s the client is most of the send path's CPU, so the adapter speaks aiohttp directly.

Every failure, Meta's error answers and aiohttp's own exceptions alike, leaves as CloudApiError,
so the dispatcher decides retrying from Meta's code alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
import msgspec
import yarl

from adapters.cloud_api import graph_errors
from adapters.cloud_api.graph_wire import (
    Created,
    GraphPage,
    MediaUrlAnswer,
    PhoneNumberAnswer,
    SendAnswer,
    SubscribedApp,
    Success,
    TokenAnswer,
    WireTemplate,
    send_body,
    template_body,
)
from application.ports import MediaUrl, PhoneNumberInfo, SendRequest
from domain.errors import InvalidIdentifier
from domain.ids import PhoneNumberId, WabaId, Wamid, parse_media_id
from domain.meta_errors import CloudApiError
from domain.setup import TokenInfo
from domain.templates import MessageTemplate, TemplateStatus

META_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
GRAPH_PAGE_SIZE = 100
PHONE_NUMBER_FIELDS = {
    "fields": "id,display_phone_number,verified_name,quality_rating,code_verification_status,name_status,throughput"
}
META_MEDIA_HOSTS = frozenset({"lookaside.fbsbx.com"})
"""Where Meta's `GET /{media-id}` points its download URLs; the Bearer token goes to no other host."""

T = TypeVar("T")


DEFAULT_TIMEOUT_SECONDS = 20.0
CONNECT_TIMEOUT_SECONDS = 5.0
MAX_CONNECTIONS = 100
"""Every connection kept alive: the dispatcher keeps up to 64 calls in flight."""


class GraphCloudApi:
    """Meta's Cloud API, or anything serving its paths (the simulator), at `base_url`/`version`."""

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = META_GRAPH_URL,
        version: str = DEFAULT_VERSION,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        media_hosts: Iterable[str] = META_MEDIA_HOSTS,
    ) -> None:
        self._root = f"{base_url.rstrip('/')}/{version}"
        graph = urlsplit(base_url)
        self._media_origins = {("https", host, None) for host in media_hosts} | {
            (graph.scheme, graph.hostname, graph.port)
        }
        self._auth = {"Authorization": f"Bearer {access_token}"}
        self._access_token = access_token
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds))
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> GraphCloudApi:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, request: SendRequest) -> Wamid:
        """https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages"""
        body = send_body(request)
        answer = await self._call("POST", f"{request.phone_number_id}/messages", SendAnswer, json=body)
        if not answer.messages:
            raise CloudApiError(1, "Send answer without a message id", transient=False)
        return Wamid(answer.messages[0].id)

    async def mark_read(self, phone_number_id: PhoneNumberId, wamid: Wamid, *, typing: bool) -> None:
        """https://developers.facebook.com/docs/whatsapp/cloud-api/typing-indicators (marks read as well)"""
        body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        if typing:
            body["typing_indicator"] = {"type": "text"}
        await self._call("POST", f"{phone_number_id}/messages", Success, json=body)

    async def upload_media(self, phone_number_id: PhoneNumberId, data: bytes, mime_type: str, filename: str) -> str:
        """https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#upload-media"""
        form = aiohttp.FormData({"messaging_product": "whatsapp", "type": mime_type})
        form.add_field("file", data, filename=filename, content_type=mime_type)
        answer = await self._call("POST", f"{phone_number_id}/media", Created, data=form)
        return answer.id

    async def media_url(self, media_id: str) -> MediaUrl:
        """https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#retrieve-media-url"""
        return (await self._call("GET", _media_path(media_id), MediaUrlAnswer)).to_port()

    async def download_media(self, url: str) -> bytes:
        """https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#download-media (Bearer required)

        The URL comes from Meta's answer, yet the token goes with it: only to Meta's media hosts (https)
        or the Graph host we were configured with (the simulator), never where a tampered answer points.
        """
        parts = urlsplit(url)
        if (parts.scheme, parts.hostname, parts.port) not in self._media_origins:
            origin = f"{parts.scheme}://{parts.netloc}"
            refusal = f"{origin} is not a media host wahub trusts with its token"
            raise CloudApiError(1, "Media URL refused", details=refusal, transient=False)
        return (await self._send("GET", yarl.URL(url, encoded=True))).body

    async def delete_media(self, media_id: str) -> None:
        """https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#delete-media"""
        await self._call("DELETE", _media_path(media_id), Success)

    async def create_template(self, waba_id: WabaId, template: MessageTemplate) -> MessageTemplate:
        """https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates"""
        created = await self._call("POST", f"{waba_id}/message_templates", Created, json=template_body(template))
        return msgspec.structs.replace(
            template,
            id=created.id,
            status=created.status or TemplateStatus.PENDING,
            category=created.category or template.category,
        )

    async def list_templates(self, waba_id: WabaId) -> list[MessageTemplate]:
        """https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates"""
        return [wire.to_domain() for wire in await self._every_page(f"{waba_id}/message_templates", WireTemplate)]

    async def delete_template(self, waba_id: WabaId, name: str, template_id: str | None) -> None:
        """By name Meta deletes every language; with `hsm_id` only that one template."""
        params = {"name": name} if template_id is None else {"name": name, "hsm_id": template_id}
        await self._call("DELETE", f"{waba_id}/message_templates", Success, params=params)

    async def phone_number_info(self, phone_number_id: PhoneNumberId) -> PhoneNumberInfo:
        """https://developers.facebook.com/docs/whatsapp/cloud-api/reference/phone-numbers"""
        return (await self._call("GET", phone_number_id, PhoneNumberAnswer, params=PHONE_NUMBER_FIELDS)).to_port()

    async def token_info(self) -> TokenInfo:
        """https://developers.facebook.com/docs/graph-api/reference/debug_token (the token inspects itself)."""
        params = {"input_token": self._access_token}
        return (await self._call("GET", "debug_token", TokenAnswer, params=params)).data.to_domain()

    async def subscribed_apps(self, waba_id: WabaId) -> list[str]:
        """https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/subscribed_apps/"""
        apps = await self._every_page(f"{waba_id}/subscribed_apps", SubscribedApp)
        return [app.whatsapp_business_api_data.id for app in apps]

    async def phone_numbers(self, waba_id: WabaId) -> list[PhoneNumberInfo]:
        """https://developers.facebook.com/docs/whatsapp/business-management-api/manage-phone-numbers"""
        edge = f"{waba_id}/phone_numbers"
        return [wire.to_port() for wire in await self._every_page(edge, PhoneNumberAnswer, PHONE_NUMBER_FIELDS)]

    async def _every_page(self, edge: str, item: type[T], params: dict[str, str] | None = None) -> list[T]:
        """Every item of a Graph edge, following Meta's `after` cursors to the last page."""
        items: list[T] = []
        query: dict[str, str | int] = {**(params or {}), "limit": GRAPH_PAGE_SIZE}
        while True:
            page = await self._call("GET", edge, GraphPage[item], params=query)  # type: ignore[valid-type]
            items.extend(page.data)
            after = page.after()
            if after is None or not page.data:
                return items
            query = {**query, "after": after}

    async def _call(
        self, method: str, path: str, answer: type[T], *, json: object = None, **kwargs: Any
    ) -> T:
        if json is not None:
            kwargs["data"] = msgspec.json.encode(json)
            kwargs["headers"] = {**self._auth, "Content-Type": "application/json"}
        response = await self._send(method, f"{self._root}/{path}", **kwargs)
        try:
            return msgspec.json.decode(response.body, type=answer)
        except msgspec.DecodeError:
            raise graph_errors.unreadable(response, f"a {answer.__name__}") from None

    async def _send(self, method: str, url: str | yarl.URL, **kwargs: Any) -> graph_errors.GraphResponse:
        kwargs.setdefault("headers", self._auth)
        try:
            async with self._pool().request(method, url, **kwargs) as answer:
                response = graph_errors.GraphResponse(answer.status, answer.reason or "", await answer.read())
        except graph_errors.TRANSPORT_ERRORS as exc:
            raise graph_errors.from_transport(exc) from exc
        if response.status >= 400:
            raise graph_errors.from_answer(response)
        return response

    def _pool(self) -> aiohttp.ClientSession:
        """Made at the first call: aiohttp binds a session to the running event loop."""
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session


def _media_path(media_id: str) -> str:
    """The id as a path segment, refused (not sent with our token) when it could escape it."""
    try:
        return parse_media_id(media_id)
    except InvalidIdentifier as error:
        raise CloudApiError(100, "Invalid media id", details=str(error), transient=False) from None
