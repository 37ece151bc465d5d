"""The steps of connecting a real Meta app, in order, read from `GET /v1/setup/checks`, without Qt.

Each step says what to do in Meta's dashboards, which values to paste there, and what the server's
live check found: passed, or failed with how to fix it. In sandbox mode the simulator plays Meta, so
every step passes and the guide shows what each one would check for real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOKEN_FIXES = {
    190: "The token is invalid or expired: generate a new System User token (it never expires) and restart wahub "
    "with it in WAHUB_ACCESS_TOKEN.",
    10: "The token lacks a permission: give the System User whatsapp_business_messaging and "
    "whatsapp_business_management, then generate the token again.",
    200: "The token lacks a permission: give the System User whatsapp_business_messaging and "
    "whatsapp_business_management, then generate the token again.",
    100: "Meta does not know this phone number for the token: check WAHUB_PHONE_NUMBER_ID, and assign the "
    "WhatsApp account to the System User in Business Settings.",
}
"""Meta's codes for a token it refuses (Graph API error reference), each with what an admin does about it."""
OTHER_TOKEN_FIX = (
    "Meta refused the call: check the token, the phone number id and Meta's status page, then check again."
)
CREDENTIALS = ("WAHUB_PHONE_NUMBER_ID", "WAHUB_WABA_ID", "WAHUB_ACCESS_TOKEN", "WAHUB_APP_SECRET", "WAHUB_VERIFY_TOKEN")


@dataclass(frozen=True)
class Paste:
    label: str
    value: str


@dataclass(frozen=True)
class SetupStep:
    title: str
    todo: str
    passed: bool
    found: str
    """What the live check found, in a sentence."""
    fix: str = ""
    """How to make a failed check pass; empty when it passed."""
    values: list[Paste] = field(default_factory=list)


def setup_steps(checks: dict[str, Any], server_url: str) -> list[SetupStep]:
    sandbox = checks.get("mode") == "sandbox"
    given: dict[str, bool] = checks.get("credentials", {})
    missing = [name for name in CREDENTIALS if not given.get(name)]
    return [
        _account(checks, sandbox, missing),
        _token(checks, sandbox),
        _phone_number(checks),
        _app_secret(sandbox, missing),
        _webhook(checks, server_url),
        _first_message(checks, sandbox),
    ]


def _account(checks: dict[str, Any], sandbox: bool, missing: list[str]) -> SetupStep:
    todo = (
        "In Meta's App Dashboard, add the WhatsApp product to your app; on WhatsApp > API Setup copy the "
        "Phone number ID and the WhatsApp Business Account ID into WAHUB_PHONE_NUMBER_ID and WAHUB_WABA_ID."
    )
    ids = f"phone number id {checks.get('phone_number_id')}, business account {checks.get('waba_id')}"
    unset = [name for name in ("WAHUB_PHONE_NUMBER_ID", "WAHUB_WABA_ID") if name in missing]
    if sandbox or not unset:
        found = f"Sandbox: the simulator's {ids}." if sandbox else f"Using {ids}."
        return SetupStep("Business number and account", todo, True, found)
    return SetupStep(
        "Business number and account",
        todo,
        False,
        f"{' and '.join(unset)} not set.",
        fix=f"Set {' and '.join(unset)} in wahub's environment and restart it.",
    )


def _token(checks: dict[str, Any], sandbox: bool) -> SetupStep:
    todo = (
        "In Business Settings > System Users, add a system user, assign it your app and WhatsApp account, and "
        "generate a token with whatsapp_business_messaging and whatsapp_business_management; set it as "
        "WAHUB_ACCESS_TOKEN."
    )
    reach: dict[str, Any] = checks.get("phone_number", {})
    if reach.get("reachable"):
        found = (
            "Sandbox: the simulator accepts wahub's token." if sandbox else "Meta accepts the token for this number."
        )
        return SetupStep("Access token", todo, True, found)
    code = reach.get("error_code")
    refusal = f"Meta refused the token: {code} {reach.get('error_title', '')}".rstrip()
    details = reach.get("error_details")
    return SetupStep(
        "Access token",
        todo,
        False,
        f"{refusal} ({details})" if details else refusal,
        fix=TOKEN_FIXES.get(code, OTHER_TOKEN_FIX) if isinstance(code, int) else OTHER_TOKEN_FIX,
    )


def _phone_number(checks: dict[str, Any]) -> SetupStep:
    todo = "Your business number as Meta shows it: its verified display name and quality rating."
    reach: dict[str, Any] = checks.get("phone_number", {})
    if not reach.get("reachable"):
        return SetupStep(
            "Phone number", todo, False, "Not read: Meta refused the token.", fix="Fix the access token first."
        )
    found = (
        f"+{reach.get('display_phone_number', '')} · {reach.get('verified_name', '')} · "
        f"quality {reach.get('quality_rating', 'UNKNOWN')}"
    )
    if reach.get("quality_rating") == "RED":
        fix = "Quality is RED: customers block or report these messages; send fewer, expected messages before Meta limits the number."
        return SetupStep("Phone number", todo, False, found, fix=fix)
    return SetupStep("Phone number", todo, True, found)


def _app_secret(sandbox: bool, missing: list[str]) -> SetupStep:
    todo = "In the App Dashboard > App settings > Basic, copy the App Secret into WAHUB_APP_SECRET: wahub checks every webhook's signature with it."
    if sandbox:
        return SetupStep("App secret", todo, True, "Sandbox: the simulator signs with wahub's own secret.")
    if "WAHUB_APP_SECRET" in missing:
        return SetupStep(
            "App secret", todo, False, "WAHUB_APP_SECRET is not set.", fix="Set WAHUB_APP_SECRET and restart wahub."
        )
    return SetupStep("App secret", todo, True, "Set: webhook signatures are checked.")


def _webhook(checks: dict[str, Any], server_url: str) -> SetupStep:
    todo = (
        "In the App Dashboard > WhatsApp > Configuration, edit the webhook: paste the callback URL and the verify "
        "token below, click Verify and save, then subscribe to the messages and message_template_status_update "
        "fields. Meta needs a public HTTPS URL that reaches this server."
    )
    values = [
        Paste("Callback URL", f"{server_url}/webhook"),
        Paste("Verify token", str(checks.get("verify_token", ""))),
    ]
    verified = checks.get("webhook_verified_at")
    if verified:
        return SetupStep("Webhook", todo, True, f"Meta's handshake answered at {verified}.", values=values)
    return SetupStep(
        "Webhook",
        todo,
        False,
        "Meta has not called the webhook's handshake since wahub started.",
        fix="Click Verify and save in Meta's webhook form with exactly these values; the URL must be public HTTPS.",
        values=values,
    )


def _first_message(checks: dict[str, Any], sandbox: bool) -> SetupStep:
    todo = "Send a WhatsApp message to the business number from your phone: it should reach the inbox."
    if sandbox:
        todo = "Make a test customer write in (below): the message reaches the inbox like a real one."
    received = checks.get("last_webhook_received_at")
    if received:
        return SetupStep("First message", todo, True, f"The last webhook arrived at {received}.")
    fix = "Subscribe the webhook to the messages field, then write to the business number."
    if sandbox:
        fix = "Click “A customer writes in”."
    return SetupStep("First message", todo, False, "No webhook has arrived yet.", fix=fix)
