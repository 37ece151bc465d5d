"""What the setup guide asks Meta besides sending: the token (`debug_token`) and the app's webhook subscription
(`subscribed_apps`), answered in Meta's shapes from SetupAnswers.

`PUT /_sim/setup` replaces the answers, so each of wahub's setup checks can be made to fail as it would
against Meta: an expired token, a missing permission, an unverified number, a declined display name, a RED
quality rating, an unsubscribed app, templates the token may not read. The defaults make every check pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from entrypoints.simulator.meta_errors import MetaError

SIMULATED_APP_ID = "1457228471964321"
SIMULATED_APP_NAME = "wahub sandbox app"


class SetupAnswers(msgspec.Struct, kw_only=True):
    token_expired: bool = False
    """debug_token answers 190 'Session has expired', as Meta does for an expired token."""
    token_expires_at: int = 0
    """Unix seconds; 0 is Meta's 'never' (a System User token made not to expire)."""
    scopes: list[str] = msgspec.field(
        default_factory=lambda: ["whatsapp_business_messaging", "whatsapp_business_management"]
    )
    subscribed: bool = True
    templates_readable: bool = True
    """False: reading message_templates answers (#200) as for a token without whatsapp_business_management."""
    code_verification_status: str = "VERIFIED"
    quality_rating: str = "GREEN"
    name_status: str = "APPROVED"
    throughput_level: str = "STANDARD"


def token_answer(answers: SetupAnswers, waba_id: str, now: datetime) -> dict[str, Any]:
    """`GET /debug_token?input_token=...`: https://developers.facebook.com/docs/graph-api/reference/debug_token"""
    if answers.token_expired:
        raise MetaError(190, "Error validating access token: Session has expired",
                        "The access token has expired; generate a new one.", subcode=463)
    return {"data": {
        "app_id": SIMULATED_APP_ID, "type": "SYSTEM_USER", "application": SIMULATED_APP_NAME,
        "data_access_expires_at": 0, "expires_at": answers.token_expires_at, "is_valid": True,
        "issued_at": int(now.timestamp()), "scopes": answers.scopes,
        "granular_scopes": [{"scope": s, "target_ids": [waba_id]} for s in answers.scopes if s.startswith("whatsapp")],
        "user_id": "100000000000001",
    }}


def subscribed_apps_answer(answers: SetupAnswers) -> dict[str, Any]:
    """https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/subscribed_apps/"""
    if not answers.subscribed:
        return {"data": []}
    app = {"id": SIMULATED_APP_ID, "name": SIMULATED_APP_NAME,
           "link": f"https://www.facebook.com/games/?app_id={SIMULATED_APP_ID}"}
    return {"data": [{"whatsapp_business_api_data": app}]}


def refuse_unreadable_templates(answers: SetupAnswers) -> None:
    if not answers.templates_readable:
        raise MetaError(200, "Requires whatsapp_business_management permission",
                        "The access token lacks the whatsapp_business_management permission on this account.",
                        http_status=403)


def phone_number_fields(answers: SetupAnswers) -> dict[str, Any]:
    return {
        "quality_rating": answers.quality_rating,
        "code_verification_status": answers.code_verification_status,
        "name_status": answers.name_status,
        "throughput": {"level": answers.throughput_level},
    }
