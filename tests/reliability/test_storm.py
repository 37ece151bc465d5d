"""A storm of webhook events, shuffled, 20 % delivered twice, statuses in any order, and a SIGKILL half-way.

2,000 customer messages (50 customers, 40 each) and sent/delivered/read for 100 of our sends,
2,300 events in about 770 POSTs of 1 to 5 events, as Meta batches them. The statuses of the first
sends arrive before wahub has recorded their wamids: Meta accepted them but answers late, and
their statuses (half naming our id in biz_opaque_callback_data, half only Meta's wamid, so parked)
are applied first. Then four threads deliver the storm shuffled; when half have been answered, the
server is SIGKILLed; a new server on the same data is given every POST never answered 200 (Meta
redelivers until it is).

The end state must be that of the same events applied once, in order, by another server: every
conversation and every message as the API shows them, with what each run chose for itself (our
message ids, Meta's wamids for our sends, its own clock's times) named by position instead.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
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
EARLY_SENDS = 4
"""Sends whose statuses come before their wamid is recorded (the first two customers')."""
LATE_ANSWER_SECONDS = 12
"""How long Meta withholds its answer to those: far longer than applying a few POSTs, shorter than our Graph timeout."""
TEMPLATE = {"name": "hello_world", "language": {"code": "en_US"}}


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


def queue_sends(server: WahubServer, customers: list[str]) -> list[str]:
    api = server.api()
    ids = []
    for customer in customers:
        for _ in range(SENDS_PER_CUSTOMER):
            answer = api.post("/v1/messages", json={"to": f"+{customer}", "type": "template", "template": TEMPLATE})
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["id"])
    return ids


def wamids_at_meta(server: WahubServer, ids: list[str]) -> list[str]:
    """Meta's wamid for each of our sends, as the simulator accepted them (wahub may not know it yet)."""
    simulator = server.simulator()

    def accepted() -> list[str]:
        by_ours = {m["payload"].get("biz_opaque_callback_data"): m["wamid"] for m in simulator.get("/_sim/messages").json()}
        assert all(i in by_ours for i in ids), [i for i in ids if i not in by_ours]
        return [by_ours[i] for i in ids]

    return eventually(accepted, timeout=60.0)


def recorded(server: WahubServer, ids: list[str], status: str | None = None) -> None:
    """Wait until wahub has recorded Meta's answer to each send (and, when given, each is at `status`)."""
    api = server.api()

    def all_recorded() -> bool:
        for i in ids:
            message = api.get(f"/v1/messages/{i}").json()
            assert message.get("wamid") and status in (None, message["status"]), message
        return True

    eventually(all_recorded, timeout=60.0)


def status_events(sends: list[tuple[str, str]], start: int) -> list[dict[str, Any]]:
    """sent, delivered, read for each send (the m-th went to customer m // 2); even ones name our id."""
    events = []
    for m, (message_id, wamid) in enumerate(sends):
        for s, status in enumerate(STATUSES):
            item = {"id": wamid, "status": status, "timestamp": str(start + s), "recipient_id": CUSTOMERS[m // SENDS_PER_CUSTOMER]}
            if m % 2 == 0:
                item["biz_opaque_callback_data"] = message_id
            events.append(item)
    return events


def customer_messages(start: int) -> list[dict[str, Any]]:
    return [
        {"from": customer, "id": f"wamid.STORM{n:02d}{k:03d}", "timestamp": str(start + k), "type": "text",
         "text": {"body": f"{customer} #{k}"}}
        for n, customer in enumerate(CUSTOMERS)
        for k in range(PER_CUSTOMER)
    ]


def batched(phone_number_id: str, events: list[tuple[str, dict[str, Any]]], sizes: random.Random | None) -> list[bytes]:
    """POSTs of 1 to 5 events (sizes drawn at random), or one event each, in the order given."""
    bodies: list[bytes] = []
    while events:
        size = sizes.randint(1, 5) if sizes else 1
        batch, events = events[:size], events[size:]
        bodies.append(
            envelope(phone_number_id, [e for kind, e in batch if kind == "message"], [e for kind, e in batch if kind == "status"])
        )
    return bodies


def storm(phone_number_id: str, events: list[tuple[str, dict[str, Any]]], shuffle: random.Random) -> list[bytes]:
    events = list(events)
    shuffle.shuffle(events)
    bodies = batched(phone_number_id, events, shuffle)
    bodies += [body for body in bodies if shuffle.random() < 0.2]
    shuffle.shuffle(bodies)
    return bodies


class Meta:
    """Delivers POSTs from some threads until done or the server dies; remembers what was answered 200."""

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

    def deliver_all(self, threads: int = 4) -> None:
        for worker in self.deliver(threads):
            worker.join(timeout=120)
        assert len(self.answered) == len(self.bodies)

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


def end_state(server: WahubServer, ours: list[str]) -> dict[str, Any]:
    """Every conversation and message as the API shows them, our sends named by their position in `ours`;
    each run's own choices (message ids, Meta's wamids for our sends, the times its clock gave) left out."""
    api = server.api()
    position = {message_id: n for n, message_id in enumerate(ours)}
    state: dict[str, Any] = {}
    for customer, conversation in conversations(api).items():
        thread = []
        for message in history(api, customer):
            shown = {k: v for k, v in message.items() if k not in ("id", "wamid", "created_at", "status_history")}
            if message["direction"] == "outbound":
                shown["ours"] = position[message["id"]]
                shown["status_history"] = [step for step in message["status_history"] if step["status"] in STATUSES]
            else:
                shown |= {"wamid": message["wamid"], "created_at": message["created_at"]}
            thread.append(shown)
        state[customer] = {"conversation": conversation, "thread": thread}
    return state


def test_a_shuffled_duplicated_storm_killed_half_way_ends_in_the_in_order_state(
    home: Path, tmp_path: Path, ended: Callable[[WahubServer], WahubServer]
) -> None:
    start = int(time.time()) + 60
    first = ended(start_wahub(reliability_environment(home), tmp_path / "logs"))
    phone_number_id = first.api().get("/v1/setup/checks").json()["phone_number_id"]
    simulator = first.simulator()
    assert simulator.put("/_sim/faults/webhooks", json={"hold": True}).status_code == 200

    late = {"late": EARLY_SENDS, "late_seconds": LATE_ANSWER_SECONDS}
    assert simulator.put("/_sim/faults/graph", json=late).status_code == 200
    early = queue_sends(first, CUSTOMERS[: EARLY_SENDS // SENDS_PER_CUSTOMER])
    early_statuses = status_events(list(zip(early, wamids_at_meta(first, early), strict=True)), start)
    Meta(first, batched(phone_number_id, [("status", s) for s in early_statuses], None)).deliver_all(threads=1)
    eventually(lambda: metric(first, "wahub_inbox_backlog") == 0, timeout=60.0)
    api = first.api()
    unrecorded = [api.get(f"/v1/messages/{i}").json() for i in early[1::2]]  # the ones naming only Meta's wamid
    assert all("wamid" not in m for m in unrecorded), f"Meta's late answer came before its statuses: {unrecorded}"
    recorded(first, early, "read")  # the answers, once they come, pick the parked statuses up

    rest = queue_sends(first, CUSTOMERS[EARLY_SENDS // SENDS_PER_CUSTOMER :])
    recorded(first, rest)
    ours = early + rest
    sends = list(zip(ours, wamids_at_meta(first, ours), strict=True))
    events = [("message", m) for m in customer_messages(start)] + [("status", s) for s in status_events(sends, start)]
    bodies = storm(phone_number_id, events, random.Random(8))
    assert len(bodies) > 700

    meta = Meta(first, bodies)
    workers = meta.deliver()
    eventually(lambda: len(meta.answered) >= len(bodies) // 2, timeout=120.0, interval=0.005)
    first.kill()
    for worker in workers:
        worker.join(timeout=30)

    second = ended(start_wahub(reliability_environment(home), tmp_path / "logs"))
    Meta(second, [body for n, body in enumerate(bodies) if n not in meta.answered]).deliver_all()
    eventually(lambda: metric(second, "wahub_inbox_backlog") == 0, timeout=120.0)
    assert metric(second, "wahub_inbox_quarantined") == 0
    stormed = end_state(second, ours)
    second.stop()

    in_order_home = tmp_path / "in-order"
    in_order_home.mkdir()
    same_number = reliability_environment(in_order_home, WAHUB_PHONE_NUMBER_ID=phone_number_id)
    reference = ended(start_wahub(same_number, tmp_path / "in-order-logs"))
    assert reference.simulator().put("/_sim/faults/webhooks", json={"hold": True}).status_code == 200
    reference_ours = queue_sends(reference, CUSTOMERS)
    recorded(reference, reference_ours)
    reference_sends = list(zip(reference_ours, wamids_at_meta(reference, reference_ours), strict=True))
    in_order = [("message", m) for m in customer_messages(start)] + [("status", s) for s in status_events(reference_sends, start)]
    Meta(reference, batched(phone_number_id, in_order, None)).deliver_all(threads=1)
    eventually(lambda: metric(reference, "wahub_inbox_backlog") == 0, timeout=120.0)
    expected = end_state(reference, reference_ours)

    assert len(expected) == len(CUSTOMERS)
    for customer in CUSTOMERS:
        assert stormed[customer]["thread"] == expected[customer]["thread"], customer
        assert stormed[customer]["conversation"] == expected[customer]["conversation"], customer
