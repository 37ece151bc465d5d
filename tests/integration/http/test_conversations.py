"""Conversations over the real app: the inbox by latest activity, a thread's history, marking read."""

from __future__ import annotations

import time

from application.records import Role
from tests.integration.http.conftest import Api, bearer, customer_writes, deliver, inbound_text

SHEENA = "16505551234"
RAVI = "447700900123"
DAY = 24 * 3600


async def test_conversations_come_latest_activity_first_with_window_and_unread_count(api: Api) -> None:
    now = int(time.time())
    await customer_writes(api, RAVI, "wamid.R1", "Hello from yesterday", at=now - DAY - 3600)
    await customer_writes(api, SHEENA, "wamid.S1", "Hi", at=now - 60)
    await customer_writes(api, SHEENA, "wamid.S2", "Anyone there?", at=now - 30)

    response = await api.client.get("/v1/conversations", headers=api.as_admin())

    assert response.status_code == 200, response.text
    sheena, ravi = response.json()["data"]
    assert (sheena["wa_id"], sheena["window"], sheena["unread_count"]) == (SHEENA, "open", 2)
    assert sheena["last_message_preview"] == "Anyone there?" and "window_closes_at" in sheena
    assert (ravi["wa_id"], ravi["window"], ravi["unread_count"]) == (RAVI, "closed", 1)
    assert response.json()["next_cursor"] is None


async def test_conversations_page_by_cursor_without_repeating_or_skipping(api: Api) -> None:
    now = int(time.time())
    for n, wa_id in enumerate(["16505550001", "16505550002", "16505550003"]):
        await customer_writes(api, wa_id, f"wamid.P{n}", "hi", at=now - 100 + n)

    first = (await api.client.get("/v1/conversations", params={"limit": 2}, headers=api.as_admin())).json()
    second = (
        await api.client.get("/v1/conversations", params={"limit": 2, "cursor": first["next_cursor"]}, headers=api.as_admin())
    ).json()

    assert [c["wa_id"] for c in first["data"]] == ["16505550003", "16505550002"]
    assert [c["wa_id"] for c in second["data"]] == ["16505550001"] and second["next_cursor"] is None


async def test_a_thread_lists_newest_first_and_accepts_the_number_with_a_plus(api: Api) -> None:
    now = int(time.time())
    for n in range(3):
        await customer_writes(api, SHEENA, f"wamid.H{n}", f"message {n}", at=now - 100 + n)

    first = await api.client.get("/v1/conversations/+1 650 555 1234/messages", params={"limit": 2}, headers=api.as_admin())
    rest = await api.client.get(
        f"/v1/conversations/{SHEENA}/messages", params={"cursor": first.json()["next_cursor"]}, headers=api.as_admin()
    )

    assert first.status_code == 200, first.text
    assert [m["content"]["body"] for m in first.json()["data"]] == ["message 2", "message 1"]
    assert [m["content"]["body"] for m in rest.json()["data"]] == ["message 0"]
    assert first.json()["data"][0]["direction"] == "inbound" and rest.json()["next_cursor"] is None


async def test_a_limit_outside_1_to_100_is_a_400_naming_the_bound(api: Api) -> None:
    zero = await api.client.get("/v1/conversations", params={"limit": 0}, headers=api.as_admin())
    too_many = await api.client.get(f"/v1/conversations/{SHEENA}/messages", params={"limit": 101}, headers=api.as_admin())

    assert zero.status_code == 400 and zero.headers["content-type"] == "application/problem+json"
    assert zero.json()["errors"] == [{"message": "Expected `int` >= 1", "key": "limit", "source": "query"}]
    assert too_many.status_code == 400
    assert too_many.json()["errors"] == [{"message": "Expected `int` <= 100", "key": "limit", "source": "query"}]


async def test_a_cursor_that_was_not_handed_out_is_a_400(api: Api) -> None:
    response = await api.client.get("/v1/conversations", params={"cursor": "page-2"}, headers=api.as_admin())

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "'page-2' is not a paging cursor: pass back the next_cursor of the previous page unchanged"
    )


async def test_a_number_that_is_not_e164_is_refused_with_the_reason(api: Api) -> None:
    response = await api.client.get("/v1/conversations/650-555-1234/messages", headers=api.as_admin())

    assert response.status_code == 422
    assert "E.164" in response.json()["detail"]


async def test_marking_read_sends_the_latest_wamid_with_typing_and_clears_the_unread_count(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.M1", "Hi")
    await customer_writes(api, SHEENA, "wamid.M2", "Still there?")

    response = await api.client.post(f"/v1/conversations/+{SHEENA}/read", json={"typing": True}, headers=api.as_admin())

    assert response.status_code == 200, response.text
    assert response.json()["unread_count"] == 0 and response.json()["window"] == "open"
    marked = api.cloud_api.marked_read[-1]
    assert (marked.wamid, marked.typing) == ("wamid.M2", True)


async def test_marking_read_needs_no_body(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.N1", "Hi")

    response = await api.client.post(f"/v1/conversations/{SHEENA}/read", headers=await bearer(api, Role.AGENT))

    assert response.status_code == 200, response.text
    assert api.cloud_api.marked_read[-1].typing is False


async def test_marking_read_a_customer_who_never_wrote_is_404(api: Api) -> None:
    response = await api.client.post(f"/v1/conversations/{SHEENA}/read", headers=api.as_admin())

    assert response.status_code == 404
    assert response.json()["detail"] == f"customer {SHEENA} has sent nothing to 106540352242922 that could be marked read"


async def test_an_integrator_reads_conversations_but_may_not_mark_them_read(api: Api) -> None:
    integrator = await bearer(api, Role.INTEGRATOR)
    await customer_writes(api, SHEENA, "wamid.I1", "Hi")

    listed = await api.client.get("/v1/conversations", headers=integrator)
    marked = await api.client.post(f"/v1/conversations/{SHEENA}/read", headers=integrator)

    assert listed.status_code == 200
    assert marked.status_code == 403 and "may not mark conversations read" in marked.json()["detail"]


async def test_conversations_need_a_key(api: Api) -> None:
    response = await api.client.get("/v1/conversations")

    assert response.status_code == 401


async def test_views_name_the_customer_by_an_opaque_id_that_is_the_number_for_a_customer_known_by_number(api: Api) -> None:
    await customer_writes(api, SHEENA, "wamid.C1", "Hi", at=int(time.time()) - 10)

    [conversation] = (await api.client.get("/v1/conversations", headers=api.as_admin())).json()["data"]
    [message] = (await api.client.get(f"/v1/conversations/{SHEENA}/messages", headers=api.as_admin())).json()["data"]

    assert (conversation["customer_id"], conversation["wa_id"]) == (SHEENA, SHEENA)
    assert (message["customer_id"], message["wa_id"]) == (SHEENA, SHEENA)
    assert "user_id" not in conversation and "username" not in message


async def test_a_thread_is_addressed_by_a_bsuid_too_and_anything_else_is_refused_clearly(api: Api) -> None:
    by_bsuid = await api.client.get("/v1/conversations/US.13491208655302741918/messages", headers=api.as_admin())
    nonsense = await api.client.get("/v1/conversations/sheena/messages", headers=api.as_admin())

    assert by_bsuid.status_code == 200 and by_bsuid.json()["data"] == []
    assert nonsense.status_code == 422
    assert "business-scoped user id" in nonsense.json()["detail"]


async def test_search_finds_by_message_text_with_the_match_and_by_name_without(api: Api) -> None:
    now = int(time.time())
    await customer_writes(api, SHEENA, "wamid.Q1", "My parcel never arrived", at=now - 60)
    await deliver(api, inbound_text(RAVI, "wamid.Q2", "Hello", now - 30, name="Parcelina"))

    response = await api.client.get("/v1/conversations", params={"q": "parcel"}, headers=api.as_admin())

    assert response.status_code == 200, response.text
    ravi, sheena = response.json()["data"]
    assert (ravi["customer_id"], "match" in ravi) == (RAVI, False)
    assert (sheena["customer_id"], sheena["match"]) == (SHEENA, "My parcel never arrived")
    assert sheena["unread_count"] == 1 and response.json()["next_cursor"] is None


async def test_search_pages_by_cursor_like_the_list(api: Api) -> None:
    now = int(time.time())
    for n, wa_id in enumerate(["16505550001", "16505550002", "16505550003"]):
        await customer_writes(api, wa_id, f"wamid.SP{n}", f"refund please {n}", at=now - 100 + n)

    first = (await api.client.get("/v1/conversations", params={"q": "refund", "limit": 2}, headers=api.as_admin())).json()
    second = (
        await api.client.get(
            "/v1/conversations", params={"q": "refund", "limit": 2, "cursor": first["next_cursor"]}, headers=api.as_admin()
        )
    ).json()

    assert [c["customer_id"] for c in first["data"] + second["data"]] == ["16505550003", "16505550002", "16505550001"]
    assert second["next_cursor"] is None


async def test_a_search_with_nothing_to_look_for_is_a_400_problem(api: Api) -> None:
    punctuation = await api.client.get("/v1/conversations", params={"q": "?!"}, headers=api.as_admin())
    empty = await api.client.get("/v1/conversations", params={"q": ""}, headers=api.as_admin())

    for response in (punctuation, empty):
        assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert "no letter or digit" in punctuation.json()["detail"]
