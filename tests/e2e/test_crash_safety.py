"""SIGKILL while webhooks and sends are flowing, then a restart on the same data.

What wahub promises, and what this test holds it to:

- A webhook POST answered 200 is stored (the inbox) before the answer, so every inbound message
  whose delivery the simulator saw answered 200 is, after the restart, in its conversation, once.
  A message the simulator accepted from its customer but had not yet delivered when the process
  died is not wahub's to keep: in sandbox mode the simulator lives inside the killed process (Meta,
  outliving us, would redeliver it), so such messages may be missing, but never stored twice.
- A send answered 202 is stored with its outbox entry before the answer. After the restart each
  one is there exactly once and reaches a final state:
  - queued but not yet handed to Meta: the restarted dispatcher sends it, once its lease
    (WAHUB_DISPATCH_LEASE_SECONDS=2 here) runs out, to the NEW simulator, and it reaches `read`.
  - handed over without wahub learning the wamid (the kill fell between the call and our write):
    its outcome is unknown, so it is held (state `unknown`) for a status naming it; the OLD
    simulator died with its statuses, so none comes, and after WAHUB_UNKNOWN_SEND_WAIT_SECONDS (2
    here) it is sent again, to the NEW simulator, and reaches `read`. Meta, outliving us, would
    have sent the status, and the message would not have gone out twice (tests/reliability).
  - already accepted by the OLD simulator with its wamid recorded: that simulator died with its
    pending status webhooks, and the new one knows nothing of the wamid, so no later status can
    arrive. Its final state is the last status recorded (accepted, sent, delivered or read), never
    queued and never failed, and it is not sent again.
- A send whose answer was lost in the kill is retried by the client with the same Idempotency-Key
  after the restart, and there is then exactly one message per key.
"""

from __future__ import annotations

import base64
import collections
import itertools
import json
import threading
import uuid
from typing import Any

import httpx

from tests.e2e.conftest import StartWahub
from tests.e2e.support import (
    WahubServer,
    eventually,
    history,
    metric,
)

LEASE = {"WAHUB_DISPATCH_LEASE_SECONDS": "2", "WAHUB_UNKNOWN_SEND_WAIT_SECONDS": "2"}
"""A short lease, so a send claimed by the killed dispatcher is retried 2 s after it was claimed."""
ANSWERED = ("16505552001", "16505552002", "16505552003", "16505552004", "16505552005")
"""Customers we send to: several, so the per-recipient pair limit (a burst of 45 per 6 s) never holds a send back."""
WRITING = ("16505553001", "16505553002", "16505553003")
"""Customers who keep writing in while the server dies."""
MAX_SENDS = 60
MAX_INBOUND = 400
STARTED_FLOWING = 15


class Flow:
    """Two client threads: customers writing in through the simulator, and the API sending answers."""

    def __init__(self, server: WahubServer) -> None:
        self.server = server
        self.stop = threading.Event()
        self.inbound: dict[str, str] = {}
        """wamid -> wa_id of every customer message the simulator answered 200."""
        self.sends: dict[str, str | None] = {}
        """Idempotency-Key -> our message id when answered 202, None when the answer was lost."""
        self.refused: list[str] = []
        self.threads = [threading.Thread(target=self._customers), threading.Thread(target=self._answers)]

    def __enter__(self) -> Flow:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _customers(self) -> None:
        with httpx.Client(base_url=self.server.simulator_url, timeout=10.0) as simulator:
            for n, wa_id in zip(range(MAX_INBOUND), itertools.cycle(WRITING)):
                if self.stop.is_set():
                    return
                try:
                    answer = simulator.post("/_sim/inbound", json={"from": wa_id, "type": "text", "text": {"body": f"message {n}"}})
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    self.inbound[answer.json()["wamid"]] = wa_id

    def _answers(self) -> None:
        headers = {"authorization": self.server.api().headers["authorization"]}
        with httpx.Client(base_url=self.server.url, headers=headers, timeout=10.0) as api:
            for n, wa_id in zip(range(MAX_SENDS), itertools.cycle(ANSWERED)):
                if self.stop.is_set():
                    return
                key = str(uuid.uuid4())
                self.sends[key] = None
                try:
                    answer = api.post("/v1/messages", json=answer_to(wa_id, n), headers={"Idempotency-Key": key})
                except httpx.TransportError:
                    return
                if answer.status_code == 202:
                    self.sends[key] = answer.json()["id"]
                else:
                    self.refused.append(answer.text)
                    del self.sends[key]


def answer_to(wa_id: str, n: int) -> dict[str, Any]:
    """hello_world, not free-form text: the restarted simulator has forgotten which customers wrote in
    (its state died with the old process; Meta's would not), so it would fail a free-form answer with
    131047 where Meta would deliver it. A template needs no window, so both simulators take it."""
    return {"to": f"+{wa_id}", "type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}


def delivered_inbound(deliveries: list[dict[str, Any]]) -> set[str]:
    """wamids of customer messages in webhook POSTs the server answered 200."""
    wamids: set[str] = set()
    for delivery in deliveries:
        if 200 not in delivery["answers"]:
            continue
        envelope = json.loads(base64.b64decode(delivery["body"]))
        for entry in envelope["entry"]:
            for change in entry["changes"]:
                wamids |= {message["id"] for message in change["value"].get("messages", [])}
    return wamids


def test_a_sigkill_while_messages_flow_loses_no_accepted_webhook_or_send_and_stores_nothing_twice(
    start: StartWahub,
) -> None:
    first = start(**LEASE)
    api, simulator = first.api(), first.simulator()

    with Flow(first) as flow:
        eventually(lambda: len(flow.inbound) >= STARTED_FLOWING and len([s for s in flow.sends.values() if s]) >= STARTED_FLOWING)
        answered_200 = delivered_inbound(simulator.get("/_sim/webhooks").json())
        first.kill()
    assert flow.refused == [], flow.refused

    second = start(**LEASE)
    api, new_meta = second.api(), second.simulator()
    answered: dict[str, str] = {}
    for key, message_id in flow.sends.items():
        again = api.post("/v1/messages", json=answer_to(ANSWERED[0], -1), headers={"Idempotency-Key": key})
        assert again.status_code == 202, again.text
        if message_id is not None:
            assert again.json()["id"] == message_id, "the same key answers with the first result"
        answered[key] = again.json()["id"]
    ours = set(answered.values())

    def resent_after_restart() -> collections.Counter[str]:
        return collections.Counter(m["payload"].get("biz_opaque_callback_data") for m in new_meta.get("/_sim/messages").json())

    def every_send_final() -> list[dict[str, Any]]:
        resent = resent_after_restart()
        messages = []
        for message_id in ours:
            message = api.get(f"/v1/messages/{message_id}").json()
            if message_id in resent:
                assert message["status"] == "read", (message["status"], message.get("failure"), message_id)
            else:
                assert message["status"] in ("accepted", "sent", "delivered", "read") and message.get("wamid"), message
            messages.append(message)
        return messages

    def every_delivered_inbound_stored() -> bool:
        assert metric(second, "wahub_inbox_backlog") == 0
        stored = {m["wamid"] for wa_id in WRITING for m in history(api, wa_id)}
        missing = answered_200 - stored
        assert not missing, f"{len(missing)} inbound messages answered 200 but not stored: {missing}"
        return True

    finals = eventually(every_send_final, timeout=30)
    eventually(every_delivered_inbound_stored, timeout=30)

    inbound_stored = [m for wa_id in WRITING for m in history(api, wa_id)]
    outbound_stored = [m for wa_id in ANSWERED for m in history(api, wa_id) if m["direction"] == "outbound"]
    twice = [wamid for wamid, n in collections.Counter(m["wamid"] for m in inbound_stored).items() if n > 1]
    assert twice == [], f"inbound messages stored twice: {twice}"
    assert {m["wamid"] for m in inbound_stored} <= set(flow.inbound), "only what customers sent"
    assert sorted(m["id"] for m in outbound_stored) == sorted(ours), "each accepted send once, nothing else"
    assert len(ours) == len(answered), "one message per Idempotency-Key"
    wamids = collections.Counter(m["wamid"] for m in finals)
    assert max(wamids.values()) == 1, f"two of our messages share a wamid: {wamids}"
    resent = resent_after_restart()
    assert set(resent) <= ours and max(resent.values(), default=1) == 1, f"sent twice after the restart: {resent}"
