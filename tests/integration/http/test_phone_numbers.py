"""`GET /v1/phone-numbers` over the real app: the WABA's numbers, and Meta's refusal as problem+json."""

from __future__ import annotations

from application.records import Role
from domain.meta_errors import CloudApiError
from tests.integration.http.conftest import ACCOUNT, Api, bearer


async def test_every_role_reads_the_business_numbers(api: Api) -> None:
    response = await api.client.get("/v1/phone-numbers", headers=await bearer(api, Role.INTEGRATOR))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": [
            {"phone_number_id": ACCOUNT.phone_number_id, "display_phone_number": "15550783881", "verified_name": "wahub test"}
        ]
    }


async def test_meta_refusing_before_any_answer_is_a_502_with_metas_code(api: Api) -> None:
    api.cloud_api.fail_next(CloudApiError(190, "Invalid OAuth access token", http_status=401), operation="phone_numbers")

    response = await api.client.get("/v1/phone-numbers", headers=api.as_admin())

    assert response.status_code == 502 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["meta_code"] == 190


async def test_without_a_key_the_numbers_are_refused(api: Api) -> None:
    response = await api.client.get("/v1/phone-numbers")

    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"
