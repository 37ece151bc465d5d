"""The setup routes over the real app in Meta mode with the fake Cloud API: checks, their fixes, refusals."""

from __future__ import annotations

from pathlib import Path

from application.records import Role
from domain.meta_errors import CloudApiError
from tests.integration.http.conftest import ACCOUNT, Api, bearer, serving_api


async def checks(api: Api) -> dict[str, dict[str, object]]:
    response = await api.client.get("/v1/setup/checks", headers=api.as_admin())
    assert response.status_code == 200, response.text
    return {c["name"]: c for c in response.json()["checks"]}


async def test_the_checks_pass_what_meta_allows_and_give_the_values_to_paste(api: Api) -> None:
    response = await api.client.get("/v1/setup/checks", headers=api.as_admin())

    body = response.json()
    assert {c["name"]: c["passed"] for c in body["checks"]} == {
        "access_token": True, "phone_number": True, "webhook_subscription": True, "webhook_handshake": None,
        "templates": True, "test_message": None,
    }
    assert (body["callback_url"], body["verify_token"]) == (None, ACCOUNT.verify_token)


async def test_a_refused_token_and_an_unsubscribed_app_fail_with_their_fixes(api: Api) -> None:
    api.cloud_api.fail_next(CloudApiError(190, "Error validating access token"), operation="token_info")
    api.cloud_api.subscribed.clear()
    failing = await checks(api)
    unsubscribed = await checks(api)

    assert failing["access_token"]["passed"] is False and failing["access_token"]["fix"]
    assert unsubscribed["webhook_subscription"]["passed"] is False and unsubscribed["webhook_subscription"]["fix"]


async def test_a_public_url_that_does_not_answer_the_handshake_fails_its_check(tmp_path: Path) -> None:
    async with serving_api(tmp_path, WAHUB_PUBLIC_URL="http://127.0.0.1:9") as api:
        webhook = (await checks(api))["webhook_handshake"]

    assert webhook["passed"] is False and webhook["facts"] == {"callback_url": "http://127.0.0.1:9/webhook"}
    assert "could not be reached" in str(webhook["summary"]) and webhook["fix"]


async def test_the_test_message_needs_a_recipient_outside_sandbox(api: Api) -> None:
    response = await api.client.post("/v1/setup/test-message", json={}, headers=api.as_admin())

    assert response.status_code == 422 and "WAHUB_TEST_RECIPIENT" in response.json()["detail"]


async def test_a_customer_writes_in_only_in_sandbox(api: Api) -> None:
    response = await api.client.post("/v1/sandbox/customer-messages", json={"text": "Hi"}, headers=api.as_admin())

    assert response.status_code == 409 and "sandbox" in response.json()["detail"]


async def test_only_admins_read_the_setup_checks(api: Api) -> None:
    response = await api.client.get("/v1/setup/checks", headers=await bearer(api, Role.AGENT))

    assert response.status_code == 403
