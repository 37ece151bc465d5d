"""Meta delivers webhooks at least once and in no promised order; wahub's records do not care.

The simulator holds back every webhook, then releases them shuffled and each delivered twice: a
status may arrive before the one it follows, and every customer message comes in two POSTs.
"""

from __future__ import annotations

import collections

from tests.e2e.support import (
    WahubServer,
    conversations,
    customer_writes,
    eventually,
    history,
    inbox_drained,
    reaches,
)

CUSTOMER = "16505551234"


def test_duplicate_and_shuffled_deliveries_store_each_message_once_and_every_status_ends_at_read(wahub: WahubServer) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    first = customer_writes(simulator, CUSTOMER, "Hi, one question")
    eventually(lambda: CUSTOMER in conversations(api))
    held = simulator.put("/_sim/faults/webhooks", json={"hold": True})
    assert held.status_code == 200, held.text

    inbound = [first] + [customer_writes(simulator, CUSTOMER, f"and another, number {n}") for n in range(3)]
    sends = [api.post("/v1/messages", json={"to": f"+{CUSTOMER}", "type": "text", "text": {"body": f"Answer {n}"}}) for n in range(3)]
    assert [answer.status_code for answer in sends] == [202] * 3, [answer.text for answer in sends]
    ours = [answer.json()["id"] for answer in sends]

    def meta_has_read_all() -> bool:
        at_meta = simulator.get("/_sim/messages").json()
        return len(at_meta) == 3 and all(m["statuses"] == ["sent", "delivered", "read"] for m in at_meta)

    eventually(meta_has_read_all)
    held_back = len(simulator.get("/_sim/webhooks").json())
    released = simulator.put("/_sim/faults/webhooks", json={"hold": False, "shuffle": True, "duplicate": True})
    assert released.status_code == 200, released.text
    eventually(lambda: len(simulator.get("/_sim/webhooks").json()) == held_back + 2 * (3 + 3 * 3))
    inbox_drained(wahub, simulator)

    finals = [reaches(api, message_id, "read") for message_id in ours]
    thread = history(api, CUSTOMER)
    counted = collections.Counter(m["wamid"] for m in thread)
    assert [m["status"] for m in finals] == ["read"] * 3
    assert len(thread) == 4 + 3 and set(counted.values()) == {1}, f"stored twice: {counted}"
    assert sorted(m["wamid"] for m in thread if m["direction"] == "inbound") == sorted(inbound)
    assert [m["id"] for m in thread if m["direction"] == "outbound"] == ours
    assert conversations(api)[CUSTOMER]["unread_count"] == 4
    for message in finals:
        assert [step["status"] for step in message["status_history"]][-3:] == ["sent", "delivered", "read"], message
