"""Setup checks: what a working connection to Meta needs, how to tell from Meta's answers, and how to fix each.

Each check is a pure function of what Meta (or the webhook endpoint) answered, so the rules and the fixes
are stated once; the application gathers the answers, the setup guide shows the verdicts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from domain.messages import Message
from domain.meta_errors import CloudApiError
from domain.status import MessageStatus

REQUIRED_SCOPES = ("whatsapp_business_messaging", "whatsapp_business_management")
"""Sending needs the first, templates and the webhook subscription the second."""

EXPIRY_WARNING = timedelta(days=7)
VERIFIED_CODE = "VERIFIED"
USABLE_NAME_STATUSES = frozenset({"APPROVED", "AVAILABLE_WITHOUT_REVIEW", "PENDING_REVIEW"})
"""With any other name status (DECLINED, EXPIRED, NONE) Meta limits or refuses sends from the number."""
LOW_QUALITY = "RED"

TOKEN_FIX = (
    "Create a System User access token in Meta Business Settings > Users > System users, with the "
    "whatsapp_business_messaging and whatsapp_business_management permissions on this WhatsApp Business "
    "Account, choose 'Never' for expiry, and set it as WAHUB_ACCESS_TOKEN."
)


class TokenInfo(msgspec.Struct, frozen=True, kw_only=True):
    """Meta's debug_token answer about the access token wahub uses."""

    is_valid: bool
    app_id: str | None = None
    application: str | None = None
    expires_at: datetime | None = None
    """None: the token never expires (System User tokens can be made so)."""
    scopes: list[str] = []


class PhoneNumberStatus(msgspec.Struct, frozen=True, kw_only=True):
    verified_name: str
    code_verification_status: str | None = None
    quality_rating: str | None = None
    throughput_level: str | None = None
    name_status: str | None = None


class SetupCheck(msgspec.Struct, frozen=True, kw_only=True):
    """`passed` is None when the check could not run yet (`summary` says why); `fix` is set when it failed."""

    name: str
    passed: bool | None
    summary: str
    fix: str | None = None
    facts: dict[str, Any] = {}


def token_check(info: TokenInfo | CloudApiError, now: datetime) -> SetupCheck:
    if isinstance(info, CloudApiError):
        return _refused("access_token", info, TOKEN_FIX)
    facts = {"app_id": info.app_id, "application": info.application, "scopes": info.scopes,
             "expires_at": None if info.expires_at is None else info.expires_at.isoformat()}
    if not info.is_valid or (info.expires_at is not None and info.expires_at <= now):
        return SetupCheck(name="access_token", passed=False, summary="The access token is invalid or expired.",
                          fix=TOKEN_FIX, facts=facts)
    missing = [scope for scope in REQUIRED_SCOPES if scope not in info.scopes]
    if missing:
        return SetupCheck(
            name="access_token", passed=False, facts=facts,
            summary=f"The access token lacks the permission{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
            fix=f"Give the System User {', '.join(missing)} on this WhatsApp Business Account, then generate a new "
                "token with them and set it as WAHUB_ACCESS_TOKEN.",
        )
    if info.expires_at is None:
        expiry = "never expires"
    elif info.expires_at - now <= EXPIRY_WARNING:
        expiry = f"expires soon, at {info.expires_at.isoformat()}: replace it with a token that never expires"
    else:
        expiry = f"expires at {info.expires_at.isoformat()}"
    return SetupCheck(name="access_token", passed=True, summary=f"The access token is valid and {expiry}.", facts=facts)


def phone_number_check(status: PhoneNumberStatus | CloudApiError) -> SetupCheck:
    if isinstance(status, CloudApiError):
        return _refused(
            "phone_number", status,
            "Check WAHUB_PHONE_NUMBER_ID against WhatsApp Manager > Phone numbers, and that the token has "
            "whatsapp_business_messaging on the WhatsApp Business Account that owns the number.",
        )
    facts = msgspec.structs.asdict(status)
    problems: list[tuple[str, str]] = []
    if status.code_verification_status not in (None, VERIFIED_CODE):
        problems.append((f"its code verification status is {status.code_verification_status}",
                         "Verify the number with the code Meta sends by SMS or voice call (WhatsApp Manager > "
                         "Phone numbers > the number > Verify), then register it for Cloud API."))
    if status.name_status is not None and status.name_status not in USABLE_NAME_STATUSES:
        problems.append((f"its display name status is {status.name_status}",
                         "Submit a display name that follows Meta's display name guidelines (WhatsApp Manager > "
                         "Phone numbers > the number > Profile > Display name) and wait for approval."))
    if status.quality_rating == LOW_QUALITY:
        problems.append(("its quality rating is RED",
                         "Customers block or report recent messages: send only messages they opted in to, "
                         "make templates relevant, and slow down until the quality rating recovers."))
    if problems:
        return SetupCheck(
            name="phone_number", passed=False, facts=facts,
            summary=f"The number {status.verified_name!r} cannot send well: {'; '.join(p for p, _ in problems)}.",
            fix=" ".join(fix for _, fix in problems),
        )
    return SetupCheck(
        name="phone_number", passed=True, facts=facts,
        summary=f"The number {status.verified_name!r} is verified, quality {status.quality_rating}, "
                f"throughput {status.throughput_level}.",
    )


def subscription_check(app_id: str | None, subscribed: list[str] | CloudApiError, waba_id: str) -> SetupCheck:
    fix = (f"Subscribe the app to the WhatsApp Business Account: POST /{waba_id}/subscribed_apps with the app's "
           "token (or App Dashboard > WhatsApp > Configuration), else Meta sends this number's webhooks elsewhere.")
    if isinstance(subscribed, CloudApiError):
        return _refused("webhook_subscription", subscribed, fix)
    facts = {"subscribed_app_ids": subscribed, "app_id": app_id}
    if app_id is None:
        return SetupCheck(name="webhook_subscription", passed=None, facts=facts,
                          summary="Which app the token belongs to is unknown until the access token check passes.")
    if app_id not in subscribed:
        return SetupCheck(name="webhook_subscription", passed=False, fix=fix, facts=facts,
                          summary=f"App {app_id} is not subscribed to WhatsApp Business Account {waba_id}.")
    return SetupCheck(name="webhook_subscription", passed=True, facts=facts,
                      summary=f"App {app_id} is subscribed to WhatsApp Business Account {waba_id}'s webhooks.")


def webhook_check(url: str | None, failure: str | None) -> SetupCheck:
    """`failure` is what went wrong when the endpoint did not echo Meta's challenge."""
    if url is None:
        return SetupCheck(name="webhook_handshake", passed=None,
                          summary="Not checked: set WAHUB_PUBLIC_URL to the address Meta reaches wahub at.")
    facts = {"callback_url": url}
    if failure is not None:
        return SetupCheck(
            name="webhook_handshake", passed=False, facts=facts,
            summary=f"{url} did not answer Meta's verification handshake: {failure}.",
            fix="Make the URL reach this wahub over HTTPS (a reverse proxy or tunnel to its port), and enter the "
                "same URL and WAHUB_VERIFY_TOKEN as Callback URL and Verify token in App Dashboard > WhatsApp > "
                "Configuration.",
        )
    return SetupCheck(name="webhook_handshake", passed=True, facts=facts,
                      summary=f"{url} answers Meta's verification handshake with the configured verify token.")


def templates_check(templates: int | CloudApiError) -> SetupCheck:
    if isinstance(templates, CloudApiError):
        return _refused(
            "templates", templates,
            "Give the token whatsapp_business_management on the WhatsApp Business Account and check WAHUB_WABA_ID.",
        )
    return SetupCheck(name="templates", passed=True, facts={"count": templates},
                      summary=f"The message templates can be read ({templates} found).")


def round_trip_refused(to: str, reason: str) -> SetupCheck:
    return SetupCheck(
        name="test_message", passed=False, facts={"to": to},
        summary=f"wahub refused to send the test message: {reason}",
        fix="Sync the templates (POST /v1/templates/sync) so the approved hello_world (en_US) is known, and give a "
            "test recipient in international format.",
    )


def round_trip_check(message: Message, *, timed_out: bool) -> SetupCheck:
    """None while the send waits for its first status webhook and `timed_out` is False."""
    facts = {"to": message.customer_id, "message_id": message.id, "status": str(message.status.status)}
    failure = message.status.failure
    if failure is not None or message.status.status is MessageStatus.FAILED:
        reason = "without a reason" if failure is None else f"({failure.code}) {failure.title}"
        return SetupCheck(
            name="test_message", passed=False, facts=facts | {"error_code": None if failure is None else failure.code},
            summary=f"Meta failed the test message: {reason}.",
            fix="A test number only reaches recipients added in App Dashboard > WhatsApp > API Setup > To; a "
                "live number needs a valid payment method and a recipient with WhatsApp. Meta's code says which.",
        )
    if message.status.status.rank >= MessageStatus.SENT.rank:
        return SetupCheck(name="test_message", passed=True, facts=facts,
                          summary=f"The test message went out and its status ({message.status.status}) came back.")
    if not timed_out:
        return SetupCheck(name="test_message", passed=None, facts=facts, summary="Waiting for the status webhook.")
    return SetupCheck(
        name="test_message", passed=False, facts=facts,
        summary=f"The test message is {message.status.status}, but no status webhook came back.",
        fix="Meta reports statuses by webhook: make the webhook_handshake and webhook_subscription checks pass, "
            "and subscribe the app to the 'messages' webhook field in App Dashboard > WhatsApp > Configuration.",
    )


def _refused(name: str, error: CloudApiError, fix: str) -> SetupCheck:
    facts = {"error_code": error.code, "error_title": error.title, "error_details": error.details}
    return SetupCheck(name=name, passed=False, summary=f"Meta refused: ({error.code}) {error.title}.", fix=fix,
                      facts=facts)
