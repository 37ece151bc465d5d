"""The desktop's only door to wahub: its HTTP API, as typed calls, without Qt.

Blocking httpx calls, so the caller decides which thread waits (the window runs them on its worker
threads, tests call them directly). Every failure becomes one of three errors an agent can act on:
the URL is not a wahub URL, the server cannot be reached, or the server refused (with its problem
detail). The API key goes into the authorization header and nowhere else: no repr, no log line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

import httpx
import msgspec

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
TEST_MESSAGE_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
"""The server waits up to 20 s for the test message's status webhook before it answers."""


class ClientError(Exception):
    """Something the agent should read: the message is written for them."""


class BadServerUrl(ClientError):
    pass


class ServerUnreachable(ClientError):
    pass


class Refused(ClientError):
    """The server answered with a problem: its status, title and detail as it wrote them."""

    def __init__(self, status: int, title: str, detail: str | None) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        super().__init__(f"{title}: {detail}" if detail else title)

    @property
    def refused_key(self) -> bool:
        return self.status == 401


class Me(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    role: str
    actions: list[str]


class PhoneNumber(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: str
    display_phone_number: str = ""
    verified_name: str = ""


class Conversation(msgspec.Struct, frozen=True, kw_only=True):
    """A conversation as the API shows it; `customer_id` is opaque (a number or a business-scoped user id)."""

    phone_number_id: str
    last_activity_at: datetime
    window: str
    unread_count: int
    customer_id: str
    wa_id: str | None = None
    user_id: str | None = None
    username: str | None = None
    window_closes_at: datetime | None = None
    customer_name: str | None = None
    last_message_preview: str | None = None
    match: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """One conversation: a business number with one customer."""
        return (self.phone_number_id, self.customer_id)

    @property
    def title(self) -> str:
        return self.customer_name or self.username or self.handle

    @property
    def handle(self) -> str:
        """What identifies the customer to a person: their number, else their username, else the opaque id."""
        if self.wa_id:
            return f"+{self.wa_id}"
        return f"@{self.username}" if self.username else self.customer_id


class StatusStep(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    at: datetime


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    code: int
    title: str
    details: str | None = None


class Message(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    direction: str
    phone_number_id: str
    type: str
    content: dict[str, Any]
    status: str
    created_at: datetime
    customer_id: str
    wa_id: str | None = None
    user_id: str | None = None
    username: str | None = None
    status_history: list[StatusStep] = []
    wamid: str | None = None
    failure: Failure | None = None
    context: dict[str, Any] | None = None
    customer_name: str | None = None
    retry_of: str | None = None

    @property
    def conversation_key(self) -> tuple[str, str]:
        return (self.phone_number_id, self.customer_id)


T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    data: list[T]
    next_cursor: str | None = None


class Uploaded(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    mime_type: str


def check_server_url(url: str) -> str:
    """`http(s)://host[:port]`, without a trailing slash; anything else is refused before a request is made."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadServerUrl(f"{url!r} is not a server URL; it looks like http://127.0.0.1:8000")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise BadServerUrl(f"{url!r} has a port that is not a number") from None
    return text


class WahubClient:
    """One server and one API key. Thread-safe: httpx.Client shares its pool across threads."""

    def __init__(self, server_url: str, api_key: str, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.server_url = check_server_url(server_url)
        self._http = httpx.Client(
            base_url=self.server_url, headers={"authorization": f"Bearer {api_key}"}, timeout=timeout
        )
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"WahubClient({self.server_url!r})"

    def event_stream_headers(self) -> dict[str, str]:
        """For the event follower, which holds its own long-lived connection."""
        return {"authorization": f"Bearer {self._api_key}", "accept": "text/event-stream"}

    def close(self) -> None:
        self._http.close()

    def me(self) -> Me:
        return msgspec.convert(self._json("GET", "/v1/me"), Me)

    def phone_numbers(self) -> list[PhoneNumber]:
        return msgspec.convert(self._json("GET", "/v1/phone-numbers"), Page[PhoneNumber]).data

    def conversations(
        self, cursor: str | None = None, limit: int = 50, query: str = "", phone_number_id: str | None = None
    ) -> Page[Conversation]:
        params = {"limit": str(limit)} | _given(cursor=cursor, q=query.strip(), phone_number_id=phone_number_id)
        return msgspec.convert(self._json("GET", "/v1/conversations", params=params), Page[Conversation])

    def history(
        self, phone_number_id: str, customer_id: str, cursor: str | None = None, limit: int = 50
    ) -> Page[Message]:
        """Newest first."""
        params = {"limit": str(limit), "phone_number_id": phone_number_id} | _given(cursor=cursor)
        path = f"/v1/conversations/{quote(customer_id, safe='')}/messages"
        return msgspec.convert(self._json("GET", path, params=params), Page[Message])

    def mark_read(self, phone_number_id: str, customer_id: str, typing: bool = False) -> Conversation:
        path = f"/v1/conversations/{quote(customer_id, safe='')}/read"
        body = self._json("POST", path, params={"phone_number_id": phone_number_id}, json={"typing": typing})
        return msgspec.convert(body, Conversation)

    def send(self, phone_number_id: str, payload: dict[str, Any]) -> Message:
        """`payload` is the Cloud API message object (`to`, `type`, the type's object, `context`)."""
        return msgspec.convert(self._json("POST", "/v1/messages", json={"from": phone_number_id, **payload}), Message)

    def message(self, message_id: str) -> Message:
        return msgspec.convert(self._json("GET", f"/v1/messages/{quote(message_id, safe='')}"), Message)

    def retry(self, message_id: str) -> Message:
        return msgspec.convert(self._json("POST", f"/v1/messages/{quote(message_id, safe='')}/retry"), Message)

    def templates(self) -> list[dict[str, Any]]:
        templates: list[dict[str, Any]] = self._json("GET", "/v1/templates")
        return templates

    def create_template(self, template: dict[str, Any]) -> dict[str, Any]:
        """`template` is Meta's creation body (name, language, category, components, parameter_format)."""
        created: dict[str, Any] = self._json("POST", "/v1/templates", json=template)
        return created

    def delete_template(self, name: str, language: str | None = None) -> int:
        """How many languages of the name were deleted."""
        params = _given(language=language)
        deleted: int = self._json("DELETE", f"/v1/templates/{quote(name, safe='')}", params=params)["deleted"]
        return deleted

    def sync_templates(self) -> list[dict[str, Any]]:
        synced: list[dict[str, Any]] = self._json("POST", "/v1/templates/sync")
        return synced

    def setup_checks(self) -> dict[str, Any]:
        checks: dict[str, Any] = self._json("GET", "/v1/setup/checks")
        return checks

    def analytics(
        self,
        report: str,
        since: datetime,
        until: datetime,
        phone_number_id: str | None = None,
        time_zone: str | None = None,
    ) -> dict[str, Any]:
        """One analytics report (`volumes`, `funnel`, `failures`, ...) over [since, until), as the API answers it.

        `time_zone` (IANA) is where the heatmap counts weekdays and hours; the other reports ignore it.
        """
        params = {"from": _utc(since), "to": _utc(until)} | _given(phone_number_id=phone_number_id)
        if report == "heatmap" and time_zone:
            params["tz"] = time_zone
        answer: dict[str, Any] = self._json("GET", f"/v1/analytics/{quote(report, safe='')}", params=params)
        return answer

    def media(self, media_id: str) -> bytes:
        """The bytes as wahub's own media store keeps them."""
        return self._request("GET", f"/v1/media/{quote(media_id, safe='')}").content

    def upload(self, filename: str, content: bytes, mime_type: str) -> Uploaded:
        answer = self._request("POST", "/v1/media", files={"file": (filename, content, mime_type)})
        return msgspec.convert(answer.json(), Uploaded)

    def send_test_message(self, to: str | None = None) -> dict[str, Any]:
        """The setup guide's round trip: the server sends hello_world and waits (up to 20 s) for its status."""
        body = {"to": to} if to else {}
        check: dict[str, Any] = self._json("POST", "/v1/setup/test-message", json=body, timeout=TEST_MESSAGE_TIMEOUT)
        return check

    def sandbox_customer_writes(self, wa_id: str, name: str, text: str) -> str:
        """Sandbox mode only: a simulated customer writes to the business number; its wamid."""
        body = {"from": wa_id, "name": name, "text": text}
        wamid: str = self._json("POST", "/v1/sandbox/customer-messages", json=body)["wamid"]
        return wamid

    def _json(self, method: str, path: str, **options: Any) -> Any:
        answer = self._request(method, path, **options)
        try:
            return answer.json()
        except ValueError:
            raise BadServerUrl(f"{self.server_url} answered, but not as a wahub server (no JSON)") from None

    def _request(self, method: str, path: str, **options: Any) -> httpx.Response:
        try:
            answer = self._http.request(method, path, **options)
        except httpx.TransportError as error:
            raise ServerUnreachable(f"cannot reach {self.server_url}: {_reason(error)}") from None
        if answer.is_success:
            return answer
        raise _refusal(self.server_url, answer)


def _given(**values: str | None) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}


def _utc(at: datetime) -> str:
    """The API reads a time without an offset as UTC."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _reason(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "nothing answers there (is `wahub serve` running?)"
    if isinstance(error, httpx.TimeoutException):
        return "the server did not answer in time"
    return str(error) or type(error).__name__


def _refusal(server_url: str, answer: httpx.Response) -> ClientError:
    if not answer.headers.get("content-type", "").startswith(("application/problem+json", "application/json")):
        return BadServerUrl(f"{server_url} answered {answer.status_code}, but not as a wahub server")
    try:
        problem = answer.json()
    except ValueError:
        return BadServerUrl(f"{server_url} answered {answer.status_code}, but not as a wahub server")
    if not isinstance(problem, dict):
        problem = {}
    title = str(problem.get("title") or answer.reason_phrase)
    detail = problem.get("detail")
    return Refused(answer.status_code, title, str(detail) if detail else None)
