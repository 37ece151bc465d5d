"""Operations over the real app: liveness, readiness, Prometheus metrics and the setup guide's checks."""

from __future__ import annotations

import asyncio
import time

from application.records import Role
from domain.meta_errors import CloudApiError
from domain.webhook_signature import sign
from tests.integration.http.conftest import ACCOUNT, Api, bearer, customer_writes, inbound_text

SHEENA = "16505551234"


async def test_healthz_answers_without_a_key(api: Api) -> None:
    response = await api.client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_while_the_store_answers_and_the_workers_run(api: Api) -> None:
    response = await api.client.get("/readyz")

    assert (response.status_code, response.json()) == (200, {"status": "ready", "inbox_quarantined": 0})


async def test_not_ready_once_the_workers_stopped(api: Api) -> None:
    api.client.blocking_portal.call(api.runtime.stop_workers)  # the app's own event loop runs the workers

    response = await api.client.get("/readyz")

    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("workers not running: inbox, dispatcher")


async def test_metrics_count_requests_webhooks_and_sends_in_prometheus_text(api: Api) -> None:
    body = inbound_text(SHEENA, "wamid.X1", "Hi", int(time.time()))
    await api.client.post("/webhook", content=body, headers={"x-hub-signature-256": _signature(body)})
    await scrape_until(api, 'wahub_webhook_events_applied_total{kind="message"} 1.0')
    refused = await api.client.post("/webhook", content=b"{}", headers={"x-hub-signature-256": "sha256=" + "0" * 64})
    sent = await api.client.post(
        "/v1/messages", json={"to": f"+{SHEENA}", "type": "text", "text": {"body": "Hello"}}, headers=api.as_admin()
    )
    assert refused.status_code == 401 and sent.status_code == 202

    text = await scrape_until(api, 'wahub_sends_total{outcome="sent"} 1.0')

    assert 'wahub_http_requests_total{method="POST",route="/webhook",status="200"} 1.0' in text
    assert 'wahub_http_requests_total{method="POST",route="/webhook",status="401"} 1.0' in text
    assert 'wahub_http_requests_total{method="POST",route="/v1/messages",status="202"} 1.0' in text
    assert 'wahub_webhook_posts_total{outcome="accepted"} 1.0' in text
    assert 'wahub_webhook_posts_total{outcome="refused"} 1.0' in text
    assert 'wahub_webhook_events_applied_total{kind="message"} 1.0' in text
    assert "# TYPE wahub_outbox_depth gauge" in text and "wahub_outbox_depth 0.0" in text
    assert "# TYPE wahub_webhook_ack_seconds histogram" in text and "wahub_webhook_ack_seconds_count 2.0" in text
    assert "wahub_webhook_applied_after_seconds_count 1.0" in text and "wahub_send_seconds_count 1.0" in text
    assert "# TYPE wahub_rate_limit_wait_seconds histogram" in text


async def test_routes_are_counted_by_template_so_ids_do_not_multiply_series(api: Api) -> None:
    for message_id in ("msg_" + "a" * 32, "msg_" + "b" * 32):
        await api.client.get(f"/v1/messages/{message_id}", headers=api.as_admin())

    text = (await api.client.get("/metrics")).text

    assert 'wahub_http_requests_total{method="GET",route="/v1/messages/{message_id}",status="404"} 2.0' in text


async def test_queue_gauges_are_read_at_scrape_time(api: Api) -> None:
    api.client.blocking_portal.call(api.runtime.stop_workers)  # the app's own event loop runs the workers
    body = inbound_text(SHEENA, "wamid.Q1", "Hi", int(time.time()))
    await api.runtime.ingest_webhook(body, _signature(body))

    response = await api.client.get("/metrics")

    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "wahub_inbox_backlog 1.0" in response.text


async def test_setup_checks_show_mode_credentials_reach_and_webhook_health(api: Api) -> None:
    await api.client.get(
        "/webhook", params={"hub.mode": "subscribe", "hub.verify_token": ACCOUNT.verify_token, "hub.challenge": "42"}
    )
    await customer_writes(api, SHEENA, "wamid.C1", "Hi")

    response = await api.client.get("/v1/setup/checks", headers=api.as_admin())

    assert response.status_code == 200, response.text
    checks = response.json()
    assert (checks["mode"], checks["store"], checks["phone_number_id"]) == ("meta", "memory", ACCOUNT.phone_number_id)
    assert all(checks["credentials"].values()) and "WAHUB_ACCESS_TOKEN" in checks["credentials"]
    [number] = [c for c in checks["checks"] if c["name"] == "phone_number"]
    assert number["passed"] is True and number["facts"]["verified_name"] == "wahub test"
    assert checks["webhook_verified_at"] is not None and checks["last_webhook_received_at"] is not None


async def test_a_token_meta_refuses_is_reported_with_meta_s_code_not_raised(api: Api) -> None:
    expired = CloudApiError(190, "Invalid OAuth access token", details="Session has expired", http_status=401)
    api.cloud_api.fail_next(expired, operation="phone_number_info")

    response = await api.client.get("/v1/setup/checks", headers=api.as_admin())

    assert response.status_code == 200
    [number] = [c for c in response.json()["checks"] if c["name"] == "phone_number"]
    assert number["passed"] is False and number["fix"]
    assert number["facts"] == {
        "error_code": 190, "error_title": "Invalid OAuth access token", "error_details": "Session has expired",
    }
    assert response.json()["webhook_verified_at"] is None


async def test_setup_checks_are_for_admins_only(api: Api) -> None:
    agent = await api.client.get("/v1/setup/checks", headers=await bearer(api, Role.AGENT))
    anonymous = await api.client.get("/v1/setup/checks")

    assert agent.status_code == 403 and anonymous.status_code == 401


async def scrape_until(api: Api, line: str) -> str:
    """Sends and applied events reach the metrics through live events, a moment after the request."""
    text = ""
    for _ in range(200):
        text = (await api.client.get("/metrics")).text
        if line in text:
            return text
        await asyncio.sleep(0.01)
    raise AssertionError(f"{line!r} never appeared in:\n{text}")


def _signature(body: bytes) -> str:
    return sign(ACCOUNT.app_secret.encode(), body)
