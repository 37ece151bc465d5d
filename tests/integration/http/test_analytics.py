"""Analytics over the real app: a few real sends, their statuses by webhook, then the summary."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from application.records import Role
from domain.meta_errors import CloudApiError
from tests.integration.http.conftest import ACCOUNT, Api, bearer, customer_writes, deliver, messages_webhook

SHEENA = "16505551234"
UTILITY = {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}


async def test_the_summary_counts_the_funnel_failures_and_cost_of_real_sends(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.A1", "Where is my order?")
    read, delivered = await send(api, "It ships today"), await send(api, "Tracking: 1Z999")
    api.cloud_api.fail_next(CloudApiError(131026, "Message undeliverable"))
    failed = await send(api, "Sorry, one more thing")
    await status_webhook(api, read, "read", pricing=UTILITY)
    await status_webhook(api, delivered, "delivered")

    response = await api.client.get("/v1/analytics/summary", headers=await bearer(api, Role.AGENT))

    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["funnel"] == {"outbound": 3, "sent": 2, "delivered": 2, "read": 1, "failed": 1}
    assert (summary["delivery_rate"], summary["read_rate"]) == (1.0, 0.5)
    assert summary["failure_reasons"] == [{"code": 131026, "title": "Message undeliverable", "count": 1}]
    assert summary["estimated_cost"] == {"currency": "USD", "amount": 0.004, "unpriced": {}}
    assert summary["conversations_by_category"] == {"utility": 1}
    assert {(v["direction"], v["count"]) for v in summary["volumes"]} == {("inbound", 1), ("outbound", 3)}
    assert failed["status"] == "failed"


async def test_the_period_defaults_to_the_last_seven_days(api: Api) -> None:
    response = await api.client.get("/v1/analytics/summary", headers=api.as_admin())

    since, until = (datetime.fromisoformat(response.json()[key]) for key in ("since", "until"))
    assert until - since == timedelta(days=7)
    assert timedelta(0) <= until - datetime.now(UTC) <= timedelta(minutes=15)


async def test_a_period_outside_the_sends_counts_nothing_and_naive_times_are_utc(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.B1", "Hi")
    params = {"from": "2024-01-01T00:00:00", "to": "2024-02-01T00:00:00+00:00", "phone_number_id": ACCOUNT.phone_number_id}

    response = await api.client.get("/v1/analytics/summary", params=params, headers=api.as_admin())

    assert response.status_code == 200, response.text
    assert response.json()["volumes"] == [] and response.json()["since"] == "2024-01-01T00:00:00Z"


async def test_from_must_come_before_to(api: Api) -> None:
    params = {"from": "2025-03-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"}

    response = await api.client.get("/v1/analytics/summary", params=params, headers=api.as_admin())

    assert response.status_code == 400
    assert response.json()["detail"] == "from (2025-03-01T00:00:00+00:00) must be before to (2025-02-01T00:00:00+00:00)"


async def test_a_time_that_is_not_iso_8601_is_a_400_naming_the_parameter(api: Api) -> None:
    response = await api.client.get("/v1/analytics/summary", params={"from": "last tuesday"}, headers=api.as_admin())

    assert response.status_code == 400
    assert response.json()["detail"] == "from='last tuesday' is not an ISO-8601 date and time, e.g. 2025-06-01T00:00:00Z"
    assert response.json()["errors"] == [{"message": response.json()["detail"], "key": "from", "source": "query"}]


async def test_an_integrator_cannot_read_analytics(api: Api) -> None:
    response = await api.client.get("/v1/analytics/summary", headers=await bearer(api, Role.INTEGRATOR))

    assert response.status_code == 403
    assert response.json()["detail"] == "a key with role integrator may not read analytics; that needs role admin, agent"


async def test_analytics_need_a_key(api: Api) -> None:
    assert (await api.client.get("/v1/analytics/summary")).status_code == 401


async def send(api: Api, body: str, to: str = SHEENA) -> dict[str, Any]:
    """POST a text, then wait for the dispatcher (running in the app) to settle it."""
    return await send_payload(api, {"to": f"+{to}", "type": "text", "text": {"body": body}})


async def send_payload(api: Api, payload: dict[str, Any]) -> dict[str, Any]:
    accepted = await api.client.post("/v1/messages", json=payload, headers=api.as_admin())
    assert accepted.status_code == 202, accepted.text
    for _ in range(200):
        message: dict[str, Any] = (await api.client.get(f"/v1/messages/{accepted.json()['id']}", headers=api.as_admin())).json()
        if message["status"] != "queued":
            return message
        await asyncio.sleep(0.01)
    raise AssertionError(f"message {accepted.json()['id']} was never dispatched")


async def status_webhook(
    api: Api, message: dict[str, Any], status: str, pricing: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> None:
    reported: dict[str, Any] = {
        "id": message["wamid"],
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": message["wa_id"],
        "biz_opaque_callback_data": message["id"],
    }
    if pricing is not None:
        reported["pricing"] = pricing
    if errors is not None:
        reported["errors"] = errors
    await deliver(api, messages_webhook(statuses=[reported]))
