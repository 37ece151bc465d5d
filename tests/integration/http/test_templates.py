"""Templates over the real app: create as Meta's own body, list, delete (admin only), sync."""

from __future__ import annotations

from typing import Any

from application.records import Role
from domain.ids import WabaId
from domain.templates import TemplateStatus
from tests.integration.http.conftest import ACCOUNT, Api, bearer

ORDER_SHIPPED: dict[str, Any] = {
    "name": "order_shipped",
    "language": "en_US",
    "category": "UTILITY",
    "parameter_format": "positional",
    "components": [
        {"type": "BODY", "text": "Hi {{1}}, your order {{2}} is on its way.", "example": {"body_text": [["Sheena", "#1042"]]}},
        {"type": "FOOTER", "text": "Thanks for shopping with us"},
    ],
    "allow_category_change": True,
}


async def create(api: Api, body: dict[str, Any] = ORDER_SHIPPED) -> dict[str, Any]:
    response = await api.client.post("/v1/templates", json=body, headers=api.as_admin())
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_created_template_is_registered_with_meta_and_pending(api: Api) -> None:
    created = await create(api)

    assert created["status"] == "PENDING" and created["id"] == "1"
    assert created["components"][0]["text"] == "Hi {{1}}, your order {{2}} is on its way."
    assert [t.name for t in api.cloud_api.templates[WabaId(ACCOUNT.waba_id)]] == ["order_shipped"]
    listed = await api.client.get("/v1/templates", headers=await bearer(api, Role.INTEGRATOR))
    assert [(t["name"], t["language"], t["status"]) for t in listed.json()] == [("order_shipped", "en_US", "PENDING")]


async def test_a_template_meta_would_reject_is_refused_before_meta_sees_it(api: Api) -> None:
    body = {**ORDER_SHIPPED, "name": "Order Shipped"}

    response = await api.client.post("/v1/templates", json=body, headers=api.as_admin())

    assert response.status_code == 422
    assert response.json()["detail"] == "template name 'Order Shipped' may hold only lowercase letters, digits and underscores"
    assert api.cloud_api.templates == {}


async def test_a_body_without_a_name_is_a_400_naming_the_field(api: Api) -> None:
    body = {key: value for key, value in ORDER_SHIPPED.items() if key != "name"}

    response = await api.client.post("/v1/templates", json=body, headers=api.as_admin())

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Object missing required field `name`"


async def test_meta_refusing_a_duplicate_is_a_502_with_meta_s_code(api: Api) -> None:
    await create(api)

    again = await api.client.post("/v1/templates", json=ORDER_SHIPPED, headers=api.as_admin())

    assert again.status_code == 502 and again.json()["meta_code"] == 100


async def test_an_agent_key_cannot_delete_or_create_templates(api: Api) -> None:
    await create(api)
    agent = await bearer(api, Role.AGENT)

    deleted = await api.client.delete("/v1/templates/order_shipped", headers=agent)
    created = await api.client.post("/v1/templates", json={**ORDER_SHIPPED, "name": "other"}, headers=agent)

    assert deleted.status_code == 403 and created.status_code == 403
    assert deleted.json()["detail"].startswith("a key with role agent may not create, delete and sync templates")
    assert len(api.cloud_api.templates[WabaId(ACCOUNT.waba_id)]) == 1


async def test_an_admin_deletes_one_language_and_an_unknown_one_is_404(api: Api) -> None:
    await create(api)
    await create(api, {**ORDER_SHIPPED, "language": "pt_BR"})

    deleted = await api.client.delete("/v1/templates/order_shipped", params={"language": "en_US"}, headers=api.as_admin())
    missing = await api.client.delete("/v1/templates/order_shipped", params={"language": "fr"}, headers=api.as_admin())

    assert deleted.status_code == 200 and deleted.json() == {"name": "order_shipped", "language": "en_US", "deleted": 1}
    assert missing.status_code == 404
    assert missing.json()["detail"] == "template 'order_shipped' does not exist in language 'fr'"
    listed = await api.client.get("/v1/templates", headers=api.as_admin())
    assert [t["language"] for t in listed.json()] == ["pt_BR"]


async def test_deleting_by_name_alone_removes_every_language(api: Api) -> None:
    await create(api)
    await create(api, {**ORDER_SHIPPED, "language": "pt_BR"})

    deleted = await api.client.delete("/v1/templates/order_shipped", headers=api.as_admin())

    assert deleted.json()["deleted"] == 2
    assert (await api.client.get("/v1/templates", headers=api.as_admin())).json() == []


async def test_sync_brings_meta_s_review_into_the_local_copy(api: Api) -> None:
    created = await create(api)
    api.cloud_api.set_template_status(WabaId(ACCOUNT.waba_id), created["id"], TemplateStatus.APPROVED)

    synced = await api.client.post("/v1/templates/sync", headers=api.as_admin())

    assert synced.status_code == 200 and [t["status"] for t in synced.json()] == ["APPROVED"]
    listed = await api.client.get("/v1/templates", headers=api.as_admin())
    assert listed.json()[0]["status"] == "APPROVED"


async def test_templates_need_a_key(api: Api) -> None:
    assert (await api.client.get("/v1/templates")).status_code == 401
