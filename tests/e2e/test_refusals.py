"""What wahub refuses, over loopback: forged webhooks, broken JSON, missing keys, and roles.

Every refusal is application/problem+json, and a refusal leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import StartWahub
from tests.e2e.support import (
    conversations,
    customer_writes,
    eventually,
    history,
    problem,
    run_wahub,
    wahub_environment,
)

APP_SECRET = "e2e-app-secret-0123456789"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
ACCOUNT = {"WAHUB_APP_SECRET": APP_SECRET, "WAHUB_PHONE_NUMBER_ID": PHONE_NUMBER_ID, "WAHUB_WABA_ID": WABA_ID}


def inbound_webhook(wa_id: str, wamid: str, body: str) -> bytes:
    """One customer text in Meta's webhook envelope, for this sandbox's business number."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001234", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Customer"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": body}}],
    }
    envelope = {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(envelope).encode()


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_webhook_with_a_wrong_or_missing_signature_gets_401_and_stores_nothing(start: StartWahub) -> None:
    wahub = start(**ACCOUNT)
    api = wahub.api()
    forged = inbound_webhook("16505550101", "wamid.FORGED", "I am not Meta")
    genuine = inbound_webhook("16505550102", "wamid.GENUINE", "I came through Meta")

    wrong = httpx.post(f"{wahub.url}/webhook", content=forged, headers={"x-hub-signature-256": signature(forged, "not-the-secret")})
    missing = httpx.post(f"{wahub.url}/webhook", content=forged, headers={"content-type": "application/json"})
    accepted = httpx.post(f"{wahub.url}/webhook", content=genuine, headers={"x-hub-signature-256": signature(genuine)})
    eventually(lambda: "16505550102" in conversations(api))

    assert (wrong.status_code, missing.status_code, accepted.status_code) == (401, 401, 200)
    assert "X-Hub-Signature-256" in problem(wrong)["detail"] and "X-Hub-Signature-256" in problem(missing)["detail"]
    assert list(conversations(api)) == ["16505550102"], "the forged customer has no conversation"
    assert [m["wamid"] for m in history(api, "16505550101")] == []
    outside = api.post("/v1/messages", json={"to": "+16505550101", "type": "text", "text": {"body": "Hi"}})
    assert outside.status_code == 422, "a forged message opens no customer-service window"


def test_broken_json_to_the_messages_api_gets_400_naming_the_problem_and_stores_nothing(start: StartWahub) -> None:
    wahub = start()
    api = wahub.api()
    customer_writes(wahub.simulator(), "16505550103", "Hi")
    eventually(lambda: "16505550103" in conversations(api))

    broken = api.post("/v1/messages", content=b'{"to": "+16505550103", "type": "text", "text": {"bo', headers={"content-type": "application/json"})
    not_an_object = api.post("/v1/messages", content=b'["to", "+16505550103"]', headers={"content-type": "application/json"})
    after = api.post("/v1/messages", json={"to": "+16505550103", "type": "text", "text": {"body": "Sorry, here I am"}})

    assert broken.status_code == 400 and "truncated" in problem(broken)["detail"].lower(), broken.text
    assert not_an_object.status_code == 400, not_an_object.text
    problem(not_an_object)
    assert after.status_code == 202, after.text
    assert [(m["direction"], m["content"].get("body")) for m in history(api, "16505550103")] == [
        ("inbound", "Hi"),
        ("outbound", "Sorry, here I am"),
    ]


def test_the_api_without_a_key_or_with_an_unknown_key_answers_401(start: StartWahub) -> None:
    wahub = start()
    payload = {"to": "+16505550104", "type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}

    anonymous = wahub.api(key=None).post("/v1/messages", json=payload)
    unknown = wahub.api(key="wahub_" + "x" * 43).post("/v1/messages", json=payload)
    listing = wahub.api(key=None).get("/v1/conversations")

    assert (anonymous.status_code, unknown.status_code, listing.status_code) == (401, 401, 401)
    assert "Bearer" in problem(anonymous)["detail"]
    problem(unknown)
    assert conversations(wahub.api()) == {}, "nothing was sent"


def test_an_agent_key_made_with_wahub_keys_create_cannot_delete_templates_but_an_admin_can(
    start: StartWahub, home: Path
) -> None:
    environment = wahub_environment(home)
    wahub = start()
    created = run_wahub(environment, "keys", "create", "--role", "agent", "--name", "support desk")
    assert created.returncode == 0, created.stderr
    found = re.search(r"^secret\s+(\S+)$", created.stdout, re.MULTILINE)
    assert found is not None, created.stdout
    agent = wahub.api(key=found.group(1))

    refused = agent.delete("/v1/templates/hello_world")
    still_there = [t["name"] for t in agent.get("/v1/templates").json()]
    deleted = wahub.api().delete("/v1/templates/hello_world")

    assert refused.status_code == 403, refused.text
    assert "agent" in problem(refused)["detail"] and "admin" in problem(refused)["detail"]
    assert "hello_world" in still_there
    assert deleted.status_code == 200, deleted.text
    assert "hello_world" not in [t["name"] for t in agent.get("/v1/templates").json()]
