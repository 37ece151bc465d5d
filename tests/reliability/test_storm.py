"""A storm of webhook events, shuffled, 20 % delivered twice, statuses in any order, and a SIGKILL half-way.

2,000 customer messages (50 customers, 40 each) and sent/delivered/read for 100 of our sends,
2,300 events in about 770 POSTs of 1 to 5 events, as Meta batches them. Four threads deliver
them shuffled; when half have been answered, the server is SIGKILLed; a new server on the same
data is then given every POST that was never answered 200 (Meta redelivers until it is).

The final state must be the in-order result, which here is known exactly: each customer message
stored once, every conversation with its 40 unread, its customer's name and its latest message as
preview; each of our sends `read`, with Meta's wamid and each status at Meta's time; nothing left
in the inbox, nothing quarantined.
"""

from __future__ import annotations

import collections
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from domain.webhook_signature import sign
from tests.e2e.support import WahubServer, conversations, eventually, history, metric, start_wahub
from tests.reliability.conftest import APP_SECRET, reliability_environment

CUSTOMERS = [f"1650557{n:04d}" for n in range(50)]
PER_CUSTOMER = 40
SENDS_PER_CUSTOMER = 2
STATUSES = ("sent", "delivered", "read")


def envelope(phone_number_id: str, messages: list[dict[str, Any]], statuses: list[dict[str, Any]]) -> bytes:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
        "contacts": [{"wa_id": m["from"], "profile": {"name": f"Customer {m['from'][-2:]}"}} for m in messages],
        "messages": messages,
        "statuses": statuses,
    }
    change = {"field": "messages", "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


def our_sends(server: WahubServer) -> dict[str, str]:
    """Our message id -> Meta's wamid, for templates sent while the simulator holds its own webhooks back."""
    api, simulator = server.api(), server.simulator()
    assert simulator.put("/_sim/faults/webhooks", json={"hold": True}).status_code == 200
    template = {"name": "hello_world", "language": {"code": "en_US"}}
    ids = []
    for customer in CUSTOMERS:
        for _ in range(SENDS_PER_CUSTOMER):
            answer = api.post("/v1/messages", json={"to": f"+{customer}", "type": "template", "template": template})
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["id"])

    def accepted() -> dict[str, str]:
        found = {i: api.get(f"/v1/messages/{i}").json().get("wamid") for i in ids}
        assert all(found.values()), [i for i, wamid in found.items() if not wamid]
        return found  # type: ignore[return-value]

    return eventually(accepted, timeout=60.0)


def storm(phone_number_id: str, sends: dict[str, str], start: int, shuffle: random.Random) -> list[bytes]:
    events: list[tuple[str, dict[str, Any]]] = []
    for n, customer in enumerate(CUSTOMERS):
        for k in range(PER_CUSTOMER):
            wamid = f"wamid.STORM{n:02d}{k:03d}"
            body = {"from": customer, "id": wamid, "timestamp": str(start + k), "type": "text", "text": {"body": f"{customer} #{k}"}}
            events.append(("message", body))
    for m, (message_id, wamid) in enumerate(sends.items()):
        for s, status in enumerate(STATUSES):
            item = {"id": wamid, "status": status, "timestamp": str(start + s), "recipient_id": CUSTOMERS[m % len(CUSTOMERS)]}
            if m % 2 == 0:
                item["biz_opaque_callback_data"] = message_id
            events.append(("status", item))
    shuffle.shuffle(events)
    bodies: list[bytes] = []
    while events:
        size = shuffle.randint(1, 5)
        batch, events = events[:size], events[size:]
        bodies.append(
            envelope(phone_number_id, [e for kind, e in batch if kind == "message"], [e for kind, e in batch if kind == "status"])
        )
    twice = [body for body in bodies if shuffle.random() < 0.2]
    bodies += twice
    shuffle.shuffle(bodies)
    return bodies


class Meta:
    """Delivers POSTs from four threads until told to stop or the server dies; remembers what was answered 200."""

    def __init__(self, server: WahubServer, bodies: list[bytes]) -> None:
        self.url = f"{server.url}/webhook"
        self.bodies = bodies
        self.answered: set[int] = set()
        self._next = iter(range(len(bodies)))
        self._lock = threading.Lock()

    def deliver(self, threads: int = 4) -> list[threading.Thread]:
        workers = [threading.Thread(target=self._run) for _ in range(threads)]
        for worker in workers:
            worker.start()
        return workers

    def _run(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while True:
                with self._lock:
                    n = next(self._next, None)
                if n is None:
                    return
                body = self.bodies[n]
                try:
                    answer = client.post(self.url, content=body, headers={"x-hub-signature-256": sign(APP_SECRET.encode(), body)})
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    with self._lock:
                        self.answered.add(n)


def test_a_shuffled_duplicated_storm_killed_half_way_ends_in_the_in_order_state(home: Path, tmp_path: Path) -> None:
    first = start_wahub(reliability_environment(home), tmp_path / "logs")
    sends = our_sends(first)
    phone_number_id = first.api().get("/v1/setup/checks").json()["phone_number_id"]
    start = int(time.time()) + 60
    bodies = storm(phone_number_id, sends, start, random.Random(8))
    assert len(bodies) > 700

    meta = Meta(first, bodies)
    workers = meta.deliver()
    eventually(lambda: len(meta.answered) >= len(bodies) // 2, timeout=120.0, interval=0.005)
    first.kill()
    for worker in workers:
        worker.join(timeout=30)

    second = start_wahub(reliability_environment(home), tmp_path / "logs")
    redelivery = Meta(second, [body for n, body in enumerate(bodies) if n not in meta.answered])
    for worker in redelivery.deliver():
        worker.join(timeout=120)
    assert len(redelivery.answered) == len(redelivery.bodies)
    eventually(lambda: metric(second, "wahub_inbox_backlog") == 0, timeout=120.0)

    api = second.api()
    found = conversations(api)
    for n, customer in enumerate(CUSTOMERS):
        inbound = collections.Counter(m["wamid"] for m in history(api, customer) if m["direction"] == "inbound")
        assert inbound == {f"wamid.STORM{n:02d}{k:03d}": 1 for k in range(PER_CUSTOMER)}, customer
        conversation = found[customer]
        assert conversation["unread_count"] == PER_CUSTOMER, conversation
        assert conversation["customer_name"] == f"Customer {customer[-2:]}"
        assert conversation["last_message_preview"] == f"{customer} #{PER_CUSTOMER - 1}"
    for message_id, wamid in sends.items():
        message = api.get(f"/v1/messages/{message_id}").json()
        assert (message["status"], message["wamid"]) == ("read", wamid), message
        reached = {step["status"]: step["at"] for step in message["status_history"]}
        assert [reached[status] for status in STATUSES] == [
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + s)) for s in range(len(STATUSES))
        ], message
    assert metric(second, "wahub_inbox_quarantined") == 0
