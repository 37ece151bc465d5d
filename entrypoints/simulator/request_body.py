"""Checks every Graph path shares: the bearer token, a JSON object body, a known phone number."""

from __future__ import annotations

import hmac
from typing import Any

import msgspec
from litestar import Request

from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.meta_errors import bad_token, invalid_parameter, unknown_object


def require_bearer(request: Request[Any, Any, Any]) -> None:
    """Meta answers 401 with code 190 to a missing or wrong token, the media download URL included."""
    cloud: SimulatedCloud = request.app.state.cloud
    expected = f"Bearer {cloud.config.access_token}".encode()
    given = request.headers.get("authorization", "").encode()
    if not hmac.compare_digest(given, expected):
        raise bad_token()


def json_object(untrusted_body: bytes) -> dict[str, Any]:
    try:
        body = msgspec.json.decode(untrusted_body)
    except msgspec.DecodeError:
        raise invalid_parameter("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid_parameter("The request body must be a JSON object.")
    return body


def require_waba(cloud: SimulatedCloud, waba_id: str, method: str) -> None:
    if waba_id != cloud.config.waba_id:
        raise unknown_object(waba_id, method)


def require_number(cloud: SimulatedCloud, phone_number_id: str, method: str) -> None:
    if phone_number_id != cloud.config.phone_number_id:
        raise unknown_object(phone_number_id, method)
