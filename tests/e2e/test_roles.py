"""`wahub serve --role api` and `--role worker` on one SQLite file: the flows of one process, split in two.

The API process verifies, stores and answers; the worker process applies the inbox and sends. The
worker learns of new work over the link (no polling) and its live events reach the API's stream. A
SIGKILL of either process while customers write in and answers are sent loses nothing accepted and
stores nothing twice (see test_crash_safety for what "accepted" means on each side).
"""

from __future__ import annotations

import collections
from typing import Any

from tests.e2e.conftest import StartWahub
from tests.e2e.support import EventStream, WahubServer, customer_writes, eventually, free_port, history, metric, reaches
from tests.e2e.test_crash_safety import ANSWERED, LEASE, STARTED_FLOWING, WRITING, Flow, answer_to, delivered_inbound

CUSTOMER = "16505551234"
API = ("--role", "api")


def test_a_worker_process_applies_what_the_api_process_stored_and_its_events_reach_the_api_s_stream(
    start: StartWahub, start_worker: StartWahub
) -> None:
    server = start(*API)
    start_worker()
    api, simulator = server.api(), server.simulator()
    stream = EventStream(server)
    try:
        wamid = customer_writes(simulator, CUSTOMER, "Is my order on its way?")
        stream.until(lambda events: any(e.event == "message.received" and e.data.get("wamid") == wamid for e in events))
        answer = api.post("/v1/messages", json={"to": f"+{CUSTOMER}", "type": "text", "text": {"body": "Yes, today."}})
        assert answer.status_code == 202, answer.text
        message_id = answer.json()["id"]
        read = stream.until(lambda events: any(e.event == "message.status" and e.data["id"] == message_id
                                               and e.data["status"] == "read" for e in events))
    finally:
        stream.close()
    assert reaches(api, message_id, "read")["wamid"]
    assert [e.id for e in read] == sorted(e.id for e in read), "numbered by the API process, in order"
    # the worker's loops report to the API process's /metrics
    assert eventually(lambda: metric(server, 'wahub_sends_total{outcome="sent"}') == 1)
    assert metric(server, 'wahub_webhook_events_applied_total{kind="message"}') == 1


def flowing(flow: Flow, at_least: int = STARTED_FLOWING) -> bool:
    return len(flow.inbound) >= at_least and len([s for s in flow.sends.values() if s]) >= at_least


def stored_once(api: Any, answered_200: set[str], flow: Flow) -> None:
    """Every customer message answered 200 is in its conversation once, and nothing else came in."""
    inbound = [m for wa_id in WRITING for m in history(api, wa_id)]
    twice = [wamid for wamid, n in collections.Counter(m["wamid"] for m in inbound).items() if n > 1]
    assert twice == [], f"inbound messages stored twice: {twice}"
    missing = answered_200 - {m["wamid"] for m in inbound}
    assert not missing, f"{len(missing)} inbound messages answered 200 but not stored: {missing}"
    assert {m["wamid"] for m in inbound} <= set(flow.inbound), "only what customers sent"


def sent_once(api: Any, flow: Flow) -> list[str]:
    ours = sorted(message_id for message_id in flow.sends.values() if message_id is not None)
    outbound = [m for wa_id in ANSWERED for m in history(api, wa_id) if m["direction"] == "outbound"]
    assert sorted(m["id"] for m in outbound) == ours, "each accepted send once, nothing else"
    return ours


def test_a_sigkill_of_the_worker_mid_storm_loses_nothing_and_applies_nothing_twice(
    start: StartWahub, start_worker: StartWahub
) -> None:
    server = start(*API, **LEASE)
    worker = start_worker(**LEASE)
    with Flow(server) as flow:
        eventually(lambda: flowing(flow))
        worker.kill()
        start_worker(**LEASE)
        eventually(lambda: flowing(flow, 2 * STARTED_FLOWING))
    assert flow.refused == [], flow.refused
    api, simulator = server.api(), server.simulator()

    def settled() -> bool:
        assert metric(server, "wahub_inbox_backlog") == 0
        stored_once(api, delivered_inbound(simulator.get("/_sim/webhooks").json()), flow)
        return True

    eventually(settled, timeout=30)
    waiting = metric(server, "wahub_outbox_depth")  # first: a message leaves the outbox only after it left `queued`
    statuses = collections.Counter(api.get(f"/v1/messages/{message_id}").json()["status"] for message_id in sent_once(api, flow))
    assert set(statuses) <= {"queued", "accepted", "sent", "delivered", "read"}, statuses
    # The new worker's rate limiter starts empty, so Meta (the same simulator) may refuse some resends for the
    # pair limit's cool-down (131056) and they wait in the outbox for a retry: queued, never lost.
    assert waiting >= statuses["queued"], statuses


def test_a_sigkill_of_the_api_process_mid_storm_loses_nothing_and_applies_nothing_twice(
    start: StartWahub, start_worker: StartWahub
) -> None:
    """The simulator dies with the API process; the restarted one plays Meta at the same port, so the worker,
    which lived on, reaches it (a worker whose simulator moved would exit, to be restarted)."""
    port = {"WAHUB_SIMULATOR_PORT": str(free_port())}
    first = start(*API, **LEASE, **port)
    start_worker(**LEASE, **port)
    simulator = first.simulator()
    with Flow(first) as flow:
        eventually(lambda: flowing(flow))
        answered_200 = delivered_inbound(simulator.get("/_sim/webhooks").json())
        first.kill()
    assert flow.refused == [], flow.refused
    second: WahubServer = start(*API, **LEASE, **port)
    api = second.api()
    for key in [key for key, message_id in flow.sends.items() if message_id is None]:  # its answer died in the kill
        again = api.post("/v1/messages", json=answer_to(ANSWERED[0], -1), headers={"Idempotency-Key": key})
        assert again.status_code == 202, again.text
        flow.sends[key] = again.json()["id"]

    def settled() -> bool:
        assert metric(second, "wahub_inbox_backlog") == 0
        stored_once(api, answered_200, flow)
        return True

    eventually(settled, timeout=30)
    resent = {m["payload"].get("biz_opaque_callback_data") for m in second.simulator().get("/_sim/messages").json()}
    ours = sent_once(api, flow)
    for message_id in resent & set(ours):  # handed to the new simulator: its statuses come back
        reaches(api, message_id, "read", timeout=30)
    waiting = metric(second, "wahub_outbox_depth")  # first: a message leaves the outbox only after it left `queued`
    statuses = collections.Counter(api.get(f"/v1/messages/{message_id}").json()["status"] for message_id in ours)
    assert set(statuses) <= {"queued", "accepted", "sent", "delivered", "read"}, statuses
    # Sends whose call died with the old simulator wait for their retry, and the worker keeps each customer's
    # pair-limit cool-down: those are still queued, in the outbox, never lost.
    assert waiting >= statuses["queued"], statuses
