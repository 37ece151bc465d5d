"""What a newcomer gets wrong, answered by name: broken JSON, no body, a malformed id, an unknown template,
a method the path does not take."""

from __future__ import annotations

from tests.integration.http.conftest import Api

JSON = {"content-type": "application/json"}


async def test_broken_json_and_a_missing_body_say_so(api: Api) -> None:
    broken = await api.client.post("/v1/messages", content=b'{"to": "+1650', headers={**api.as_admin(), **JSON})
    empty = await api.client.post("/v1/messages", content=b"", headers={**api.as_admin(), **JSON})
    wrong_type = await api.client.post("/v1/templates", content=b'{"name": 1}', headers={**api.as_admin(), **JSON})

    assert (broken.status_code, broken.json()["title"]) == (400, "Malformed JSON")
    assert broken.json()["detail"] == "the body is not valid JSON: Input data was truncated"
    assert (empty.status_code, empty.json()["detail"]) == (400, "this route needs a JSON body and the request had none")
    assert (wrong_type.status_code, wrong_type.json()["detail"]) == (400, "name: Expected `str`, got `int`")


async def test_a_malformed_message_id_is_an_invalid_identifier_saying_what_ids_look_like(api: Api) -> None:
    response = await api.client.get("/v1/messages/wamid.HBgL", headers=api.as_admin())

    assert (response.status_code, response.json()["title"]) == (422, "Invalid identifier")
    assert response.json()["detail"] == "'wamid.HBgL' is not a wahub message id: they look like 'msg_' and 32 hex digits"


async def test_every_id_in_a_path_is_checked_at_routing_before_its_handler_runs(api: Api) -> None:
    """The patterns the OpenAPI document states are the ones enforced, on every route carrying such an id."""
    malformed = {
        ("DELETE", "/v1/templates/Order-Update"): "'Order-Update' is not a template name",
        ("POST", "/v1/messages/msg_123/retry"): "'msg_123' is not a wahub message id",
        ("GET", "/v1/media/12ab"): "'12ab'",
        ("GET", "/v1/conversations/hello/messages"): "'hello'",
        ("POST", "/v1/conversations/US.x-y/read"): "'US.x-y'",
    }
    for (method, path), says in malformed.items():
        response = await api.client.request(method, path, headers=api.as_admin())

        assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["title"] == "Invalid identifier" and response.json()["detail"].startswith(says), path


async def test_deleting_a_template_nobody_has_is_404(api: Api) -> None:
    response = await api.client.delete("/v1/templates/no_such_template", headers=api.as_admin())

    assert (response.status_code, response.json()["detail"]) == (404, "no template is named 'no_such_template'")


async def test_a_method_the_path_does_not_take_is_405_with_allow_and_options_lists_every_method(api: Api) -> None:
    refused = await api.client.put("/v1/templates", headers=api.as_admin())
    options = await api.client.options("/v1/templates")

    assert refused.status_code == 405 and set(refused.headers["allow"].split(", ")) == {"GET", "OPTIONS", "POST"}
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (options.status_code, options.headers["allow"]) == (204, "GET, OPTIONS, POST")
