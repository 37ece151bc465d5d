"""Every analytics route over the real app: real sends, status webhooks and customer messages, then each chart."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from application.records import Role
from domain.analytics import QUIET_PERIOD
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateStatus
from tests.integration.http.conftest import ACCOUNT, Api, bearer, customer_writes
from tests.integration.http.test_analytics import SHEENA, UTILITY, send, send_payload, status_webhook

ROUTES = ["volumes", "funnel", "failures", "response-times", "pricing", "heatmap", "templates", "closing-windows"]
OMAR = "447700900123"


async def report(api: Api, route: str, **params: str) -> dict[str, Any]:
    response = await api.client.get(f"/v1/analytics/{route}", params=params, headers=await bearer(api, Role.AGENT))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_volumes_are_per_day_inbound_and_outbound(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.V1", "Hi")
    await customer_writes(api, SHEENA, "wamid.V2", "Anyone there?")
    await send(api, "Hello!")

    volumes = await report(api, "volumes")

    assert volumes["days"] == [{"day": datetime.now(UTC).date().isoformat(), "inbound": 2, "outbound": 1}]


async def test_the_funnel_gives_each_step_its_rate_and_counts_failures(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.F1", "Where is my order?")
    read, delivered, sent = await send(api, "It ships today"), await send(api, "Tracking: 1Z999"), await send(api, "Bye")
    await status_webhook(api, read, "read")
    await status_webhook(api, delivered, "delivered")
    await status_webhook(api, sent, "failed", errors=[{"code": 131026, "title": "Message undeliverable"}])

    funnel = await report(api, "funnel")

    assert {k: funnel[k] for k in ("queued", "sent", "delivered", "read", "failed")} == {
        "queued": 3, "sent": 2, "delivered": 2, "read": 1, "failed": 1,
    }
    assert (funnel["sent_rate"], funnel["delivery_rate"], funnel["read_rate"]) == (2 / 3, 1.0, 0.5)
    assert funnel["failure_rate"] == 1 / 3


async def test_failures_name_metas_code_and_title(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.E1", "Hi")
    for body in ("one", "two"):
        message = await send(api, body)
        await status_webhook(api, message, "failed", errors=[{"code": 131026, "title": "Message undeliverable"}])

    failures = await report(api, "failures", phone_number_id=ACCOUNT.phone_number_id)

    assert failures["failures"] == [{"code": 131026, "title": "Message undeliverable", "count": 2}]
    assert failures["phone_number_id"] == ACCOUNT.phone_number_id


async def test_response_times_give_the_median_and_p90_of_first_replies(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.R1", "Is it in stock?", at=int(time.time()) - 100)
    await send(api, "Yes")
    await send(api, "Anything else?")

    times = await report(api, "response-times")

    assert times["quiet_period_seconds"] == QUIET_PERIOD.total_seconds()
    assert (times["percentiles_exact"], times["approximation"]) == (True, None)
    [day] = times["days"]
    assert day["responses"] == 1 and day["median_seconds"] == day["p90_seconds"] == day["total_seconds"]
    assert 100 <= day["median_seconds"] < 160


async def test_pricing_rows_carry_their_estimated_cost(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.P1", "Hi")
    service = {"billable": False, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"}
    await status_webhook(api, await send(api, "Receipt attached"), "delivered", pricing=UTILITY)
    await status_webhook(api, await send(api, "Happy to help"), "delivered", pricing=service)

    pricing = await report(api, "pricing")

    assert pricing["rows"] == [
        {"category": "service", "type": "free_customer_service", "count": 1, "estimated_cost": 0.0},
        {"category": "utility", "type": "regular", "count": 1, "estimated_cost": 0.004},
    ]
    assert (pricing["currency"], pricing["estimated_cost"], pricing["unpriced"]) == ("USD", 0.004, {})


async def test_the_heatmap_counts_customer_messages_by_weekday_and_hour_in_the_time_zone(api: Api) -> None:
    wednesday_0930_utc = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    await customer_writes(api, SHEENA, "wamid.H1", "Hi", at=int(wednesday_0930_utc.timestamp()))
    await customer_writes(api, OMAR, "wamid.H2", "Hello", at=int(wednesday_0930_utc.timestamp()) + 60)
    period = {"from": "2026-03-01T00:00:00Z", "to": "2026-03-08T00:00:00Z"}

    in_kolkata = await report(api, "heatmap", tz="Asia/Kolkata", **period)
    in_utc = await report(api, "heatmap", **period)

    assert len(in_kolkata["cells"]) == 168 and in_kolkata["time_zone"] == "Asia/Kolkata"
    assert [c for c in in_kolkata["cells"] if c["count"]] == [{"weekday": 2, "hour": 15, "count": 2}]
    assert [c for c in in_utc["cells"] if c["count"]] == [{"weekday": 2, "hour": 9, "count": 2}]


async def test_an_unknown_time_zone_is_a_400_naming_tz(api: Api) -> None:
    response = await api.client.get("/v1/analytics/heatmap", params={"tz": "Mars/Olympus"}, headers=api.as_admin())

    assert response.status_code == 400
    assert response.json()["errors"][0]["key"] == "tz"


async def test_templates_report_sends_delivery_and_read_rate_per_template(api: Api) -> None:
    await api.stores.templates.save(MessageTemplate(
        name="order_update", language="en_US", category=TemplateCategory.UTILITY,
        components=[TemplateComponent(type="BODY", text="Your order shipped")], status=TemplateStatus.APPROVED,
        id="1001",
    ))
    sends = [
        await send_payload(api, {"to": f"+{to}", "type": "template",
                                 "template": {"name": "order_update", "language": {"code": "en_US"}}})
        for to in (SHEENA, OMAR)
    ]
    await status_webhook(api, sends[0], "read")
    await status_webhook(api, sends[1], "delivered")

    templates = await report(api, "templates")

    assert templates["templates"] == [{
        "name": "order_update", "language": "en_US", "sent": 2, "delivered": 2, "read": 1, "failed": 0,
        "read_rate": 0.5,
    }]


async def test_closing_windows_list_unanswered_customers_whose_window_closes_within_two_hours(api: Api) -> None:
    now = int(time.time())
    await customer_writes(api, SHEENA, "wamid.C1", "Hello? Still waiting", at=now - 23 * 3600)
    await customer_writes(api, OMAR, "wamid.C2", "Thanks!", at=now - 23 * 3600)
    await send(api, "You're welcome", to=OMAR)

    closing = await report(api, "closing-windows")

    assert [c["wa_id"] for c in closing["conversations"]] == [SHEENA]
    assert closing["within_seconds"] == 7200
    waiting = closing["conversations"][0]
    assert waiting["window"] == "open" and waiting["awaiting_reply_since"] is not None


async def test_a_period_is_widened_to_quarter_hours_and_reported(api: Api) -> None:
    volumes = await report(api, "volumes", **{"from": "2026-03-01T09:07:00Z", "to": "2026-03-01T10:31:00Z"})

    assert (volumes["since"], volumes["until"], volumes["days"]) == ("2026-03-01T09:00:00Z", "2026-03-01T10:45:00Z", [])


@pytest.mark.parametrize("route", ROUTES)
async def test_every_report_refuses_a_bad_period_and_an_integrator_key(api: Api, route: str) -> None:
    bad = await api.client.get(f"/v1/analytics/{route}", params={"from": "yesterday"}, headers=api.as_admin())
    forbidden = await api.client.get(f"/v1/analytics/{route}", headers=await bearer(api, Role.INTEGRATOR))
    anonymous = await api.client.get(f"/v1/analytics/{route}")

    assert (bad.status_code, bad.json()["errors"][0]["key"]) == (400, "from")
    assert (forbidden.status_code, anonymous.status_code) == (403, 401)


@pytest.mark.parametrize("route", ROUTES)
async def test_every_report_is_documented_with_the_period_parameters(api: Api, route: str) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()

    operation = schema["paths"][f"/v1/analytics/{route}"]["get"]

    assert {"from", "to", "phone_number_id"} <= {p["name"] for p in operation["parameters"]}
    assert operation["summary"] and "200" in operation["responses"]


async def test_every_report_of_an_empty_period_is_empty(api: Api) -> None:
    period = {"from": "2024-01-01T00:00:00Z", "to": "2024-01-02T00:00:00Z"}

    reports = {route: await report(api, route, **period) for route in ROUTES}

    assert reports["volumes"]["days"] == [] and reports["failures"]["failures"] == []
    assert reports["funnel"]["queued"] == 0 and reports["funnel"]["read_rate"] is None
    assert reports["response-times"]["days"] == [] and reports["pricing"]["rows"] == []
    assert sum(c["count"] for c in reports["heatmap"]["cells"]) == 0 and reports["templates"]["templates"] == []
    assert reports["closing-windows"]["conversations"] == []


def test_quarter_hours_fit_every_routes_default_period() -> None:
    assert timedelta(days=7) % timedelta(minutes=15) == timedelta(0)
