"""The full loop in sandbox mode: a customer writes in, the business answers, statuses come back signed.

Everything goes over loopback to a real `wahub serve`, whose in-process simulator plays Meta: it
sends the customer's message and every status (sent -> delivered -> read, one second apart) to the
server's webhook, signed with the sandbox app secret.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.e2e.support import EventStream, Sse, WahubServer, customer_writes, eventually, problem, reaches, routes

CUSTOMER = "16505551234"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
HELLO_WORLD = {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}


def text(to: str, body: str) -> dict[str, object]:
    return {"to": f"+{to}", "type": "text", "text": {"body": body}}


def accepted(api: httpx.Client, payload: dict[str, object]) -> str:
    answer = api.post("/v1/messages", json=payload)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    message_id: str = answer.json()["id"]
    return message_id


def window_opens(api: httpx.Client, wa_id: str) -> str:
    """Free-form sends are refused until wahub has stored the customer's message; returns the first accepted."""

    def send() -> str | None:
        answer = api.post("/v1/messages", json=text(wa_id, "Thanks for writing, how can we help?"))
        assert answer.status_code in (202, 422), answer.text
        return answer.json()["id"] if answer.status_code == 202 else None

    return eventually(send)


def image_payload(wahub: WahubServer, api: httpx.Client, to: str) -> dict[str, object]:
    """An image uploaded through POST /v1/media when the API has it, else one Meta fetches by link."""
    if "POST /v1/media" in routes(wahub):
        upload = api.post("/v1/media", files={"file": ("dot.png", PNG, "image/png")})
        assert upload.status_code in (200, 201), upload.text
        return {"to": f"+{to}", "type": "image", "image": {"id": upload.json()["id"], "caption": "our shop"}}
    return {"to": f"+{to}", "type": "image", "image": {"link": "https://example.com/dot.png", "caption": "our shop"}}


def test_free_form_text_to_a_customer_who_never_wrote_is_refused_with_a_problem_naming_the_template_rule(
    wahub: WahubServer,
) -> None:
    answer = wahub.api().post("/v1/messages", json=text("16505550000", "Hello out of the blue"))

    assert answer.status_code == 422
    refusal = problem(answer)
    assert "never written" in refusal["detail"] and "template" in refusal["detail"], refusal


def test_a_customer_message_opens_the_window_for_free_form_answers(wahub: WahubServer) -> None:
    api = wahub.api()
    refused_before = api.post("/v1/messages", json=text(CUSTOMER, "Hello?"))

    customer_writes(wahub.simulator(), CUSTOMER, "Hi! Is my order on its way?", name="Sheena")
    first_answer = window_opens(api, CUSTOMER)

    assert refused_before.status_code == 422
    assert api.get(f"/v1/messages/{first_answer}").json()["wa_id"] == CUSTOMER


def test_a_text_an_image_and_the_hello_world_template_each_reach_read_through_signed_webhooks(
    wahub: WahubServer,
) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    customer_writes(simulator, CUSTOMER, "Hi!")
    sent_text = window_opens(api, CUSTOMER)
    sent_image = accepted(api, image_payload(wahub, api, CUSTOMER))
    sent_template = accepted(api, {"to": f"+{CUSTOMER}", **HELLO_WORLD})

    finals = {message_id: reaches(api, message_id, "read") for message_id in (sent_text, sent_image, sent_template)}

    assert [finals[m]["type"] for m in (sent_text, sent_image, sent_template)] == ["text", "image", "template"]
    for message in finals.values():
        reached = [step["status"] for step in message["status_history"]]
        assert {"queued", "sent", "delivered", "read"} <= set(reached), message
        assert message["wamid"].startswith("wamid."), message
    at_meta = {m["wamid"]: m for m in simulator.get("/_sim/messages").json()}
    assert {at_meta[message["wamid"]]["type"] for message in finals.values()} == {"text", "image", "template"}
    deliveries = simulator.get("/_sim/webhooks").json()
    assert deliveries and all(delivery["answers"] == [200] for delivery in deliveries), deliveries


def test_the_template_reaches_a_customer_who_never_wrote_and_is_read(wahub: WahubServer) -> None:
    api = wahub.api()

    message_id = accepted(api, {"to": "+16505550001", **HELLO_WORLD})

    assert reaches(api, message_id, "read")["content"]["name"] == "hello_world"


def test_a_customer_message_appears_in_its_conversation_as_unread(wahub: WahubServer) -> None:
    if "GET /v1/conversations/{wa_id}/messages" not in routes(wahub):
        pytest.skip("GET /v1/conversations/{wa_id}/messages is not in the API yet")
    api = wahub.api()
    wamid = customer_writes(wahub.simulator(), CUSTOMER, "Hi! Is my order on its way?", name="Sheena")

    def conversation() -> dict[str, object]:
        listed = api.get("/v1/conversations").json()["data"]
        assert [c["wa_id"] for c in listed] == [CUSTOMER], listed
        return listed[0]  # type: ignore[no-any-return]

    opened = eventually(conversation)
    history = api.get(f"/v1/conversations/{CUSTOMER}/messages").json()["data"]

    assert opened["window"] == "open" and opened["unread_count"] == 1 and opened["customer_name"] == "Sheena", opened
    assert [(m["direction"], m["wamid"], m["content"]["body"]) for m in history] == [
        ("inbound", wamid, "Hi! Is my order on its way?")
    ]


ORDER = ["queued", "accepted", "sent", "delivered", "read"]


def test_the_event_stream_shows_the_customer_message_our_sends_and_every_status_change_in_order(
    wahub: WahubServer, events: EventStream
) -> None:
    api = wahub.api()
    wamid = customer_writes(wahub.simulator(), CUSTOMER, "Hi! Anyone there?")
    sent_text = window_opens(api, CUSTOMER)
    sent_template = accepted(api, {"to": f"+{CUSTOMER}", **HELLO_WORLD})
    ours = {sent_text, sent_template}

    def statuses(seen: list[Sse], message_id: str) -> list[str]:
        return [e.data["status"]["status"] for e in seen if e.event == "message.status" and e.data["id"] == message_id]

    def all_read(seen: list[Sse]) -> bool:
        return all(statuses(seen, message_id)[-1:] == ["read"] for message_id in ours)

    seen = events.until(all_read)

    received = [e.data for e in seen if e.event == "message.received"]
    assert [(m["wamid"], m["wa_id"], m["direction"]) for m in received] == [(wamid, CUSTOMER, "inbound")]
    assert {e.data["id"] for e in seen if e.event == "message.created"} == ours
    for message_id in ours:
        steps = statuses(seen, message_id)
        assert steps == sorted(steps, key=ORDER.index) and {"sent", "delivered", "read"} <= set(steps), steps
    ids = [int(e.id) for e in seen]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), "event ids increase, so a client can resume"
