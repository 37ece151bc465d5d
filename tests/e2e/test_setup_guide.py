"""The setup guide's checks against a real sandbox `wahub serve`: all green, then each made to fail by the
simulator's control API (`PUT /_sim/setup`), each failure with its fix; and a customer who writes in."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.support import WahubServer, conversations, eventually


def checks(api: httpx.Client) -> dict[str, dict[str, Any]]:
    answer = api.get("/v1/setup/checks")
    assert answer.status_code == 200, answer.text
    return {check["name"]: check for check in answer.json()["checks"]}


def test_sandbox_passes_every_setup_check_and_the_simulator_can_fail_each(wahub: WahubServer) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    api.timeout = httpx.Timeout(30.0)

    before = checks(api)
    tested = api.post("/v1/setup/test-message", json={})

    assert {name: c["passed"] for name, c in before.items()} == {
        "access_token": True, "phone_number": True, "webhook_subscription": True, "webhook_handshake": True,
        "templates": True, "test_message": None,
    }
    assert tested.status_code == 200 and tested.json()["passed"] is True, tested.text
    assert checks(api)["test_message"]["passed"] is True

    broken = {"token_expired": True, "code_verification_status": "NOT_VERIFIED", "subscribed": False,
              "templates_readable": False}
    assert simulator.put("/_sim/setup", json=broken).status_code == 200
    failing = checks(api)

    assert failing["access_token"]["passed"] is False and failing["access_token"]["facts"]["error_code"] == 190
    assert failing["phone_number"]["passed"] is False and "NOT_VERIFIED" in failing["phone_number"]["summary"]
    assert failing["templates"]["passed"] is False and failing["templates"]["facts"]["error_code"] == 200
    assert failing["webhook_subscription"]["passed"] is None
    assert all(failing[name]["fix"] for name in ("access_token", "phone_number", "templates"))

    assert simulator.put("/_sim/setup", json={"subscribed": False, "scopes": ["whatsapp_business_messaging"]}).status_code == 200
    unsubscribed = checks(api)
    assert unsubscribed["webhook_subscription"]["passed"] is False and unsubscribed["webhook_subscription"]["fix"]
    assert unsubscribed["access_token"]["passed"] is False and "whatsapp_business_management" in unsubscribed["access_token"]["summary"]

    assert simulator.put("/_sim/setup", json={}).status_code == 200
    assert all(c["passed"] is not False for c in checks(api).values())


def test_in_sandbox_a_customer_writes_in_through_the_api(wahub: WahubServer) -> None:
    api = wahub.api()

    written = api.post("/v1/sandbox/customer-messages", json={"from": "447700900123", "name": "Omar", "text": "Hello?"})

    assert written.status_code == 201, written.text
    arrived = eventually(lambda: conversations(api).get("447700900123"))
    assert arrived["customer_name"] == "Omar" and arrived["last_message_preview"] == "Hello?"
