"""What the simulator remembers: messages with their wamids, media, templates, windows and rate state."""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.rate_limits import PairRateLimit, PairState, ThroughputLimit, ThroughputState, WaitUntil
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateStatus
from entrypoints.simulator.meta_errors import MetaError
from entrypoints.simulator.setup import SetupAnswers

WINDOW = timedelta(hours=24)
UPLOADED_MEDIA_LIFETIME = timedelta(days=30)
INBOUND_MEDIA_LIFETIME = timedelta(days=7)
MEDIA_URL_LIFETIME = timedelta(minutes=5)


def new_wamid() -> str:
    return "wamid." + base64.b64encode(b"\x15\x02" + secrets.token_bytes(24)).decode()


@dataclass
class SentMessage:
    wamid: str
    to: str
    type: str
    payload: dict[str, Any]
    at: datetime
    version: str
    callback_data: str | None = None
    template_category: str | None = None
    billable: bool = False
    """Per-message pricing: only templates are charged, and utility ones not inside the window."""
    statuses: list[str] = field(default_factory=list)


@dataclass
class StoredMedia:
    id: str
    data: bytes
    mime_type: str
    expires_at: datetime
    filename: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class MediaLink:
    media_id: str
    expires_at: datetime


class SimulatorState:
    """Everything in memory: a simulator starts afresh, like a new Meta test setup."""

    def __init__(self, phone_number_id: str, messages_per_second: int) -> None:
        self.sent: dict[str, SentMessage] = {}
        self.inbound: dict[str, dict[str, Any]] = {}
        self.read_marks: list[dict[str, Any]] = []
        self.media: dict[str, StoredMedia] = {}
        self.media_links: dict[str, MediaLink] = {}
        self.templates: dict[str, MessageTemplate] = {}
        self.last_inbound: dict[str, datetime] = {}
        self.not_on_whatsapp: set[str] = set()
        self.setup = SetupAnswers()
        self._ids = itertools.count(10**15 + secrets.randbelow(10**14))
        self._throughput_limit = ThroughputLimit(per_second=messages_per_second)
        self._throughput = ThroughputState()
        self._pair_limit = PairRateLimit()
        self._pairs: dict[str, PairState] = {}
        self.add_template(HELLO_WORLD, TemplateStatus.APPROVED)

    def new_id(self) -> str:
        return str(next(self._ids))

    def window_open(self, wa_id: str, now: datetime) -> bool:
        """Each customer message opens (or refreshes) a 24 h customer-service window."""
        last = self.last_inbound.get(wa_id)
        return last is not None and now < last + WINDOW

    def take_send_slot(self, wa_id: str, now: datetime) -> None:
        """Meta refuses synchronously past the number's throughput (130429) or the pair pace (131056)."""
        if isinstance(self._throughput_limit.decide(self._throughput, now), WaitUntil):
            raise MetaError(130429, "Rate limit hit", "Cloud API message throughput has been reached.")
        pair = self._pairs.get(wa_id, PairState())
        if isinstance(self._pair_limit.decide(pair, now), WaitUntil):
            raise MetaError(
                131056,
                "(Business Account, Consumer Account) pair rate limit hit",
                "Message failed to send because there were too many messages sent from this phone number "
                "to the same phone number in a short period of time.",
            )
        self._throughput = self._throughput_limit.record(self._throughput, now)
        self._pairs[wa_id] = self._pair_limit.record(pair, now)

    def add_media(self, data: bytes, mime_type: str, expires_at: datetime, filename: str | None) -> StoredMedia:
        media = StoredMedia(id=self.new_id(), data=data, mime_type=mime_type, expires_at=expires_at, filename=filename)
        self.media[media.id] = media
        return media

    def live_media(self, media_id: str, now: datetime) -> StoredMedia | None:
        media = self.media.get(media_id)
        return media if media is not None and now < media.expires_at else None

    def link_media(self, media_id: str, now: datetime) -> str:
        token = secrets.token_urlsafe(24)
        self.media_links[token] = MediaLink(media_id=media_id, expires_at=now + MEDIA_URL_LIFETIME)
        return token

    def add_template(self, template: MessageTemplate, status: TemplateStatus) -> MessageTemplate:
        stored = MessageTemplate(
            name=template.name,
            language=template.language,
            category=template.category,
            components=template.components,
            parameter_format=template.parameter_format,
            status=status,
            id=self.new_id(),
        )
        self.templates[str(stored.id)] = stored
        return stored

    def find_template(self, name: str, language: str) -> MessageTemplate | None:
        return next((t for t in self.templates.values() if (t.name, t.language) == (name, language)), None)


HELLO_WORLD = MessageTemplate(
    name="hello_world",
    language="en_US",
    category=TemplateCategory.UTILITY,
    components=[
        TemplateComponent(type="HEADER", format="TEXT", text="Hello World"),
        TemplateComponent(
            type="BODY",
            text="Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message "
            "notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.",
        ),
        TemplateComponent(type="FOOTER", text="WhatsApp Business Platform sample message"),
    ],
)
"""The template every new Meta test setup starts with, approved."""
