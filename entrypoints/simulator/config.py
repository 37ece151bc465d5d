"""How one simulator behaves: its business number, secrets, limits and webhook schedule."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.templates import MessageTemplate


def _graph_id() -> str:
    """Meta's ids are digit strings of about 15 digits; a fresh one per start, like a new test setup."""
    return str(10**14 + secrets.randbelow(9 * 10**14))


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _approve(template: MessageTemplate) -> str | None:
    return None


@dataclass(kw_only=True)
class SimulatorConfig:
    access_token: str
    app_secret: str
    webhook_url: str | None = None
    verify_token: str | None = None
    """What the endpoint expects in Meta's GET handshake, done before the first delivery; None skips it."""
    verify_retry_seconds: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0)
    """Waits between failed handshakes, the last repeating: short, as the endpoint often starts later."""
    phone_number_id: str = field(default_factory=_graph_id)
    waba_id: str = field(default_factory=_graph_id)
    display_phone_number: str = "15550001234"
    verified_name: str = "wahub Test Number"
    messages_per_second: int = 80
    status_delay_seconds: float = 0.0
    """Between sent, delivered and read; 0 sends them at once (tests), ~1-3 s looks real (demos)."""
    auto_read: bool = True
    """Customers read every message at once; False leaves `read` to the control API."""
    template_review_seconds: float = 0.0
    template_verdict: Callable[[MessageTemplate], str | None] = _approve
    """Meta's review: None approves, a reason (e.g. "INVALID_FORMAT") rejects."""
    webhook_retry_seconds: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0, 600.0, 3600.0)
    """Waits before each retry of an unanswered webhook; Meta keeps trying up to 7 days."""
    webhook_timeout_seconds: float = 10.0
    webhook_concurrency: int = 1
    """POSTs in flight at once: 1 keeps first attempts in publishing order; Meta's own volume needs more
    (bench/full_tier.py delivers ~3,000 status webhooks a second with 64)."""
    not_on_whatsapp: frozenset[str] = frozenset()
    """wa_ids that are no WhatsApp user: sends to them fail by webhook with 131026."""
    clock: Callable[[], datetime] = _utc_now
