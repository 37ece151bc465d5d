"""The steps of connecting a real Meta app, in order, each with the server's live checks, without Qt.

A step says what to do in Meta's dashboards and which values to paste there; whether it worked is
what `GET /v1/setup/checks` found (domain.setup states each check's verdict and fix once, and the
server runs them), so the guide only orders the checks under the steps that make them pass.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import msgspec

from domain.setup import SetupCheck


class Verdict(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"


def verdict(check: SetupCheck) -> Verdict:
    if check.passed is None:
        return Verdict.NOT_RUN
    return Verdict.PASSED if check.passed else Verdict.FAILED


@dataclass(frozen=True)
class Paste:
    label: str
    value: str


@dataclass(frozen=True)
class SetupStep:
    title: str
    todo: str
    checks: list[SetupCheck]
    values: list[Paste] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        verdicts = {verdict(check) for check in self.checks}
        for worst in (Verdict.FAILED, Verdict.NOT_RUN):
            if worst in verdicts:
                return worst
        return Verdict.PASSED


@dataclass(frozen=True)
class _Step:
    title: str
    todo: str
    checks: tuple[str, ...]


STEPS = (
    _Step(
        "Access token",
        "In Meta Business Settings > Users > System users, add a system user, assign it your app and WhatsApp "
        "Business Account, and generate a token that never expires with whatsapp_business_messaging and "
        "whatsapp_business_management. Set it as WAHUB_ACCESS_TOKEN, with WAHUB_PHONE_NUMBER_ID and WAHUB_WABA_ID "
        "from App Dashboard > WhatsApp > API Setup, and the App Secret (App settings > Basic) as WAHUB_APP_SECRET.",
        ("access_token",),
    ),
    _Step(
        "Phone number",
        "Your business number as Meta sees it: verified, with an approved display name and a good quality rating.",
        ("phone_number",),
    ),
    _Step(
        "Webhook",
        "In App Dashboard > WhatsApp > Configuration, edit the webhook: paste the callback URL and verify token "
        "below, click Verify and save, and subscribe to the messages and message_template_status_update fields.",
        ("webhook_subscription", "webhook_handshake"),
    ),
    _Step("Templates", "wahub reads your message templates from Meta to send and manage them.", ("templates",)),
    _Step(
        "Test message",
        "Send the approved hello_world template and wait for its status to come back by webhook.",
        ("test_message",),
    ),
)


def setup_steps(answer: dict[str, Any]) -> list[SetupStep]:
    """The steps with their checks from the API's answer; a check the server does not run is left out."""
    checks = {check.name: check for check in msgspec.convert(answer.get("checks", []), list[SetupCheck])}
    callback_url = answer.get("callback_url") or "set WAHUB_PUBLIC_URL to the public HTTPS address of this server"
    steps = []
    for step in STEPS:
        values = []
        if step.title == "Webhook":
            values = [Paste("Callback URL", callback_url), Paste("Verify token", str(answer.get("verify_token", "")))]
        found = [checks[name] for name in step.checks if name in checks]
        steps.append(SetupStep(step.title, step.todo, found, values))
    return steps
