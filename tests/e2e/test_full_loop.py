"""The full loop in sandbox mode: a customer writes in, the business answers, statuses come back signed.

Everything goes over loopback to a real `wahub serve`, whose in-process simulator plays Meta: it
sends the customer's message and every status (sent -> delivered -> read, one second apart) to the
server's webhook, signed with the sandbox app secret.
"""

from __future__ import annotations

import base64
import hashlib

import httpx

from tests.e2e.support import (
    EventStream,
    Sse,
    WahubServer,
    conversations,
    customer_writes,
    eventually,
    problem,
    reaches,
)

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
    """Free-form sends are refused (422) until wahub has stored the customer's message; returns the first accepted."""

    def send() -> str:
        answer = api.post("/v1/messages", json=text(wa_id, "Thanks for writing, how can we help?"))
        assert answer.status_code == 202, answer.text
        message_id: str = answer.json()["id"]
        return message_id

    return eventually(send)


def uploaded_image(api: httpx.Client, to: str) -> dict[str, object]:
    """An image message whose picture was first uploaded through POST /v1/media."""
    upload = api.post("/v1/media", files={"file": ("dot.png", PNG, "image/png")})
    assert upload.status_code == 201, upload.text
    assert upload.json()["kind"] == "image" and upload.json()["sha256"] == hashlib.sha256(PNG).hexdigest(), upload.json()
    return {"to": f"+{to}", "type": "image", "image": {"id": upload.json()["id"], "caption": "our shop"}}


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
    sent_image = accepted(api, uploaded_image(api, CUSTOMER))
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
        return [e.data["status"] for e in seen if e.event == "message.status" and e.data["id"] == message_id]

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


def test_a_customer_image_is_served_by_the_api_byte_for_byte_and_still_when_meta_is_down(wahub: WahubServer) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    sent = simulator.post(
        "/_sim/inbound",
        json={"from": CUSTOMER, "type": "image", "image": {"caption": "the broken part"},
              "media": {"data_base64": base64.b64encode(PNG).decode(), "mime_type": "image/png"}},
    )
    assert sent.status_code == 200, sent.text

    def stored_image() -> dict[str, object]:
        thread = api.get(f"/v1/conversations/{CUSTOMER}/messages").json()["data"]
        assert [m["type"] for m in thread] == ["image"], thread
        return thread[0]  # type: ignore[no-any-return]

    media_id = eventually(stored_image)["content"]["id"]  # type: ignore[index]
    served = api.get(f"/v1/media/{media_id}")
    meta_down = simulator.put("/_sim/faults/graph", json={"fail": 1000, "fail_status": 500})
    served_again = api.get(f"/v1/media/{media_id}")

    assert media_id == sent.json()["media_id"]
    assert served.status_code == 200 and served.content == PNG and served.headers["content-type"].startswith("image/png")
    assert served.headers["etag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'
    assert meta_down.status_code == 200
    assert served_again.status_code == 200 and served_again.content == PNG, "kept, not fetched from Meta again"


def test_marking_a_conversation_read_zeroes_its_unread_count_and_sends_blue_ticks_to_the_customer(wahub: WahubServer) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    customer_writes(simulator, CUSTOMER, "Hello?")
    last = customer_writes(simulator, CUSTOMER, "Anyone?")
    eventually(lambda: conversations(api).get(CUSTOMER, {}).get("unread_count") == 2)

    marked = api.post(f"/v1/conversations/{CUSTOMER}/read", json={"typing": True})

    assert marked.status_code == 200, marked.text
    assert marked.json()["unread_count"] == 0 and conversations(api)[CUSTOMER]["unread_count"] == 0
    marks = simulator.get("/_sim/read-marks").json()
    assert [(m["message_id"], m["typing"]) for m in marks] == [(last, True)], marks
