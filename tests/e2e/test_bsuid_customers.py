"""2026 customers through a real `wahub serve` and its simulator: BSUIDs, hidden numbers, edits, number changes."""

from __future__ import annotations

from typing import Any

from tests.e2e.support import WahubServer, conversations, customer_writes, eventually, history, reaches

HIDDEN = "447700900123"
MOVER, NEW_NUMBER = "16505550111", "16505550222"


def sim_inbound(simulator: Any, sender: str, kind: str, **fields: object) -> str:
    answer = simulator.post("/_sim/inbound", json={"from": sender, "type": kind, "name": "Ana", **fields})
    assert answer.status_code == 200, answer.text
    wamid: str = answer.json()["wamid"]
    return wamid


def test_a_bsuid_only_customer_writes_edits_deletes_and_is_answered_at_the_bsuid_with_read_ticks(
    wahub: WahubServer,
) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    hidden = simulator.put(f"/_sim/customers/{HIDDEN}", json={"username": "ana.b", "hide_number": True})
    bsuid = hidden.json()["user_id"]
    question = sim_inbound(simulator, bsuid, "text", text={"body": "Is the blue mug back?"})
    oops = sim_inbound(simulator, bsuid, "text", text={"body": "Ignore that"})
    sim_inbound(
        simulator, bsuid, "edit",
        edit={"original_message_id": question, "message": {"type": "text", "text": {"body": "Is the green mug back?"}}},
    )
    sim_inbound(simulator, bsuid, "revoke", revoke={"original_message_id": oops})

    def edited_and_deleted() -> dict[str, dict[str, Any]]:
        thread = {m["wamid"]: m for m in history(api, bsuid)}
        assert len(thread) == 2 and thread[question].get("edited_at") and thread[oops].get("deleted"), thread
        return thread

    thread = eventually(edited_and_deleted)
    first, second = thread[question], thread[oops]
    conversation = conversations(api)[bsuid]
    assert (conversation["user_id"], conversation["username"]) == (bsuid, "ana.b") and "wa_id" not in conversation
    assert first["content"]["body"] == "Is the green mug back?"
    assert [v["content"]["body"] for v in first["versions"]] == ["Is the blue mug back?"]
    assert second["content"]["body"] == "Ignore that", "deleted for everyone, kept for audit"

    reply = api.post("/v1/messages", json={"to": bsuid, "type": "text", "text": {"body": "Yes, green is back!"}})
    assert reply.status_code == 202, reply.text
    delivered = reaches(api, reply.json()["id"], "delivered")
    read = simulator.post(f"/_sim/customers/{bsuid}/read")
    assert read.status_code == 200 and read.json()["read"] == [delivered["wamid"]]
    reaches(api, reply.json()["id"], "read")
    [sent] = [m for m in simulator.get("/_sim/messages").json() if m["wamid"] == delivered["wamid"]]
    assert sent["payload"]["recipient"] == bsuid and "to" not in sent["payload"]


def test_a_customer_who_changes_number_keeps_one_thread_and_is_answered_at_the_new_number(wahub: WahubServer) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    customer_writes(simulator, MOVER, "Hi, order 1042?")
    eventually(lambda: _known(api, MOVER))

    changed = simulator.post(f"/_sim/customers/{MOVER}/number", json={"wa_id": NEW_NUMBER})
    assert changed.status_code == 200, changed.text
    customer_writes(simulator, NEW_NUMBER, "This is my new number")

    def three_messages() -> list[dict[str, Any]]:
        thread = history(api, MOVER)
        assert sorted(m["type"] for m in thread) == ["system", "text", "text"], thread  # Meta's times are seconds
        return thread

    eventually(three_messages)
    assert list(conversations(api)) == [MOVER]
    assert conversations(api)[MOVER]["wa_id"] == NEW_NUMBER
    assert len(history(api, NEW_NUMBER)) == 3, "the new number names the same customer"

    reply = api.post("/v1/messages", json={"to": f"+{NEW_NUMBER}", "type": "text", "text": {"body": "Got it"}})
    assert reply.status_code == 202, reply.text
    delivered = reaches(api, reply.json()["id"], "delivered")
    [sent] = [m for m in simulator.get("/_sim/messages").json() if m["wamid"] == delivered["wamid"]]
    assert sent["payload"]["to"] == NEW_NUMBER


def _known(api: Any, customer_id: str) -> bool:
    return customer_id in conversations(api)
