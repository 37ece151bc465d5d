"""`GET /v1/me` over the real app: each role sees its key's label, its role and the actions it may take."""

from __future__ import annotations

from application.access import Action
from application.records import Role
from tests.integration.http.conftest import Api, bearer


async def test_an_admin_key_may_take_every_action(api: Api) -> None:
    response = await api.client.get("/v1/me", headers=api.as_admin())

    assert response.status_code == 200, response.text
    assert response.json() == {"name": "bootstrap admin", "role": "admin", "actions": [action.value for action in Action]}


async def test_an_agent_key_sees_no_admin_action(api: Api) -> None:
    response = await api.client.get("/v1/me", headers=await bearer(api, Role.AGENT))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "name": "test agent",
        "role": "agent",
        "actions": [
            "send messages",
            "read messages and conversations",
            "mark conversations read",
            "list templates",
            "upload and download media",
            "read analytics",
            "follow live events",
        ],
    }


async def test_an_integrator_key_may_not_mark_read_or_read_analytics(api: Api) -> None:
    response = await api.client.get("/v1/me", headers=await bearer(api, Role.INTEGRATOR))

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "integrator"
    assert response.json()["actions"] == [
        "send messages",
        "read messages and conversations",
        "list templates",
        "upload and download media",
        "follow live events",
    ]


async def test_no_key_and_a_revoked_key_are_refused_as_problem_json(api: Api) -> None:
    key, secret = await api.runtime.use_cases.create_api_key("former agent", Role.AGENT)
    await api.stores.api_keys.revoke(key.id, key.created_at)

    anonymous = await api.client.get("/v1/me")
    revoked = await api.client.get("/v1/me", headers={"authorization": f"Bearer {secret}"})

    for response in (anonymous, revoked):
        assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"
    assert "an API key is required" in anonymous.json()["detail"]
    assert "this API key was revoked" in revoked.json()["detail"]
