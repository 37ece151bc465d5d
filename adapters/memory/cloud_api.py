"""A Cloud API that never leaves the process: it records what wahub asked Meta and answers like Meta.

Tests script Meta's error answers with `fail_next` and read the outcome from `sent`, `marked_read`,
`media` and the templates; nothing is mocked.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import deque
from collections.abc import Iterable

import msgspec

from application.ports import MediaUrl, PhoneNumberInfo, SendRequest
from domain.ids import PhoneNumberId, WabaId, Wamid
from domain.meta_errors import CloudApiError
from domain.setup import REQUIRED_SCOPES, TokenInfo
from domain.templates import MessageTemplate, TemplateStatus

MEDIA_URL_PREFIX = "https://fake.lookaside.local/"
OPERATIONS = frozenset(
    {
        "send", "mark_read", "upload_media", "media_url", "download_media", "delete_media",
        "create_template", "list_templates", "delete_template", "phone_number_info",
        "phone_numbers", "token_info", "subscribed_apps",
    }
)


class MarkedRead(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: PhoneNumberId
    wamid: Wamid
    typing: bool


class UploadedMedia(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: PhoneNumberId
    data: bytes
    mime_type: str
    filename: str


FAKE_TOKEN = TokenInfo(is_valid=True, app_id="1000000000000001", application="wahub test app", scopes=list(REQUIRED_SCOPES))
"""A System User token that never expires, with both permissions, subscribed to the WABA: every check passes."""


class FakeCloudApi:
    """Only calls Meta accepted are recorded: a scripted failure leaves `sent` unchanged, as a refused send would."""

    def __init__(self, phone_numbers: Iterable[PhoneNumberInfo] = (), token: TokenInfo = FAKE_TOKEN) -> None:
        self.token = token
        self.subscribed: list[str] = [token.app_id or ""]
        self.sent: list[SendRequest] = []
        self.marked_read: list[MarkedRead] = []
        self.media: dict[str, UploadedMedia] = {}
        self.templates: dict[WabaId, list[MessageTemplate]] = {}
        self._phone_numbers = {info.id: info for info in phone_numbers}
        self._failures: dict[str, deque[CloudApiError]] = {}
        self._wamid_numbers = itertools.count(1)
        self._media_numbers = itertools.count(1)
        self._template_numbers = itertools.count(1)

    def fail_next(self, error: CloudApiError, times: int = 1, operation: str = "send") -> None:
        """The next `times` calls of `operation` raise `error`; scripted failures are consumed in order."""
        if operation not in OPERATIONS:
            raise ValueError(f"{operation!r} is not a CloudApi operation; choose one of {sorted(OPERATIONS)}")
        self._failures.setdefault(operation, deque()).extend([error] * times)

    async def send(self, request: SendRequest) -> Wamid:
        self._answer("send")
        self.sent.append(request)
        return Wamid(f"wamid.FAKE{next(self._wamid_numbers)}")

    async def mark_read(self, phone_number_id: PhoneNumberId, wamid: Wamid, *, typing: bool) -> None:
        self._answer("mark_read")
        self.marked_read.append(MarkedRead(phone_number_id=phone_number_id, wamid=wamid, typing=typing))

    async def upload_media(self, phone_number_id: PhoneNumberId, data: bytes, mime_type: str, filename: str) -> str:
        self._answer("upload_media")
        media_id = str(next(self._media_numbers))
        self.media[media_id] = UploadedMedia(
            phone_number_id=phone_number_id, data=data, mime_type=mime_type, filename=filename
        )
        return media_id

    async def media_url(self, media_id: str) -> MediaUrl:
        self._answer("media_url")
        stored = self._stored_media(media_id)
        return MediaUrl(
            url=MEDIA_URL_PREFIX + media_id,
            mime_type=stored.mime_type,
            sha256=hashlib.sha256(stored.data).hexdigest(),
            file_size=len(stored.data),
        )

    async def download_media(self, url: str) -> bytes:
        self._answer("download_media")
        media_id = url.removeprefix(MEDIA_URL_PREFIX)
        if not url.startswith(MEDIA_URL_PREFIX) or media_id not in self.media:
            raise CloudApiError(100, "Media not found", details=f"nothing to download at {url}", http_status=404)
        return self.media[media_id].data

    async def delete_media(self, media_id: str) -> None:
        self._answer("delete_media")
        self._stored_media(media_id)
        del self.media[media_id]

    async def create_template(self, waba_id: WabaId, template: MessageTemplate) -> MessageTemplate:
        self._answer("create_template")
        existing = self.templates.setdefault(waba_id, [])
        if any(t.name == template.name and t.language == template.language for t in existing):
            raise CloudApiError(
                100, "Invalid parameter", details="Content in this language already exists", http_status=400
            )
        created = msgspec.structs.replace(
            template, id=str(next(self._template_numbers)), status=TemplateStatus.PENDING
        )
        existing.append(created)
        return msgspec.structs.replace(created)

    async def list_templates(self, waba_id: WabaId) -> list[MessageTemplate]:
        self._answer("list_templates")
        return [msgspec.structs.replace(t) for t in self.templates.get(waba_id, [])]

    async def delete_template(self, waba_id: WabaId, name: str, template_id: str | None) -> None:
        """By name alone every language goes; with an id (Meta's hsm_id) only that one, as Meta does."""
        self._answer("delete_template")
        existing = self.templates.get(waba_id, [])
        kept = [t for t in existing if t.name != name or template_id not in (None, t.id)]
        if len(kept) == len(existing):
            raise _unknown_object(template_id or name)
        self.templates[waba_id] = kept

    async def phone_number_info(self, phone_number_id: PhoneNumberId) -> PhoneNumberInfo:
        self._answer("phone_number_info")
        if phone_number_id not in self._phone_numbers:
            raise _unknown_object(phone_number_id)
        return self._phone_numbers[phone_number_id]

    def register_phone_number(self, info: PhoneNumberInfo) -> None:
        """A number added to the WABA after start, as a business does in WhatsApp Manager."""
        self._phone_numbers[info.id] = info

    async def token_info(self) -> TokenInfo:
        self._answer("token_info")
        return self.token

    async def subscribed_apps(self, waba_id: WabaId) -> list[str]:
        self._answer("subscribed_apps")
        return list(self.subscribed)

    async def phone_numbers(self, waba_id: WabaId) -> list[PhoneNumberInfo]:
        """Every number given at construction: the fake holds one WABA, whatever its id."""
        self._answer("phone_numbers")
        return list(self._phone_numbers.values())

    def set_template_status(self, waba_id: WabaId, template_id: str, status: TemplateStatus) -> None:
        """Stands in for Meta's review, so template sync can be tested against an APPROVED or REJECTED answer."""
        self.templates[waba_id] = [
            msgspec.structs.replace(t, status=status) if t.id == template_id else t
            for t in self.templates.get(waba_id, [])
        ]

    def _answer(self, operation: str) -> None:
        scripted = self._failures.get(operation)
        if scripted:
            raise scripted.popleft()

    def _stored_media(self, media_id: str) -> UploadedMedia:
        if media_id not in self.media:
            raise _unknown_object(media_id)
        return self.media[media_id]


def _unknown_object(object_id: str) -> CloudApiError:
    """Meta's answer for any id it does not know (or the token may not see): code 100, subcode 33."""
    return CloudApiError(
        100,
        "Invalid parameter",
        details=f"Unsupported request. Object with ID '{object_id}' does not exist",
        subcode=33,
        http_status=400,
    )
