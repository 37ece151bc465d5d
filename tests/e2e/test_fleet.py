"""A fleet on loopback: two API processes and two workers on Firestore and Pub/Sub (both emulators), Meta played
by the simulator in its own process.

A webhook storm (every POST twice, shuffled, spread over both API processes) and a send burst (spread over
both too), with one worker SIGKILLed and one API process restarted in the middle: nothing acknowledged is
lost, nothing is applied twice, no message reaches the simulator twice, and the number's sends never exceed
its limit in any 1-second window, counted at the simulator over the whole fleet.

Each API process has its worker on its own data directory (the link between them is per machine); what
they share is Firestore and Pub/Sub.
"""

from __future__ import annotations

import collections
import random
import signal
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from domain.webhook_signature import sign
from tests.e2e.support import (
    ADMIN_KEY,
    WAHUB,
    WahubServer,
    conversations,
    eventually,
    free_port,
    start_wahub,
    start_worker,
    wahub_environment,
)
from tests.firestore_emulator import PROJECT, FirestoreEmulator, firestore_emulator
from tests.pubsub_emulator import pubsub_emulator, pubsub_host, pubsub_prefix
from tests.unit.application.meta_webhooks import envelope, messages_change, text_message

__all__ = ["firestore_emulator", "pubsub_emulator", "pubsub_host", "pubsub_prefix"]

SECRET = "fleet-app-secret"
TOKEN = "fleet-access-token"
NUMBER = "106540352242922"
WABA = "102290129340398"
LIMIT = 10
"""Messages per second for the number: low, so the burst takes a few seconds and crosses the kill."""
CUSTOMERS_WRITING = 20
SENDS = 24
HELLO_WORLD = {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}
"""A template: the recipients never wrote in, so free-form text would be refused (no open window)."""


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`wahub simulator` in its own process group, posting its webhooks to the first API process's port."""
    port, webhook_port = free_port(), free_port()
    log = open(tmp_path / "simulator.txt", "wb")
    process = subprocess.Popen(
        [str(WAHUB), "simulator", "--port", str(port), "--webhook-url", f"http://127.0.0.1:{webhook_port}/webhook",
         "--app-secret", SECRET, "--access-token", TOKEN, "--phone-number-id", NUMBER, "--waba-id", WABA],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        eventually(lambda: _answers(f"http://127.0.0.1:{port}/_sim/messages"), timeout=60)
        yield f"http://127.0.0.1:{port}", webhook_port
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def test_two_apis_and_two_workers_lose_nothing_apply_nothing_twice_and_hold_the_limit(
    tmp_path: Path,
    simulator: tuple[str, int],
    firestore_emulator: FirestoreEmulator,
    pubsub_host: str,
    pubsub_prefix: str,
) -> None:
    firestore_emulator.clear()
    simulator_url, first_port = simulator
    fleet = {
        "WAHUB_STORE": "firestore", "WAHUB_FIRESTORE_PROJECT": PROJECT, "WAHUB_QUEUE": "pubsub",
        "WAHUB_PUBSUB_PREFIX": pubsub_prefix, "WAHUB_PUBSUB_ACK_DEADLINE_SECONDS": "10",
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host(), "PUBSUB_EMULATOR_HOST": pubsub_host,
        "WAHUB_ACCESS_TOKEN": TOKEN, "WAHUB_APP_SECRET": SECRET, "WAHUB_VERIFY_TOKEN": "fleet-verify",
        "WAHUB_PHONE_NUMBER_ID": NUMBER, "WAHUB_WABA_ID": WABA, "WAHUB_GRAPH_URL": simulator_url,
        "WAHUB_THROUGHPUT_PER_SECOND": str(LIMIT), "WAHUB_MESSAGING_TIER": "unlimited",
        "WAHUB_DISPATCH_LEASE_SECONDS": "5",
    }
    homes = [tmp_path / "one", tmp_path / "two"]
    environments = []
    for home in homes:
        home.mkdir()
        environments.append(wahub_environment(home, **fleet))
    processes: list[WahubServer] = []
    try:
        apis = [start_wahub(environments[0], tmp_path / "logs", "--role", "api", sandbox=False, port=first_port),
                start_wahub(environments[1], tmp_path / "logs", "--role", "api", sandbox=False)]
        processes += apis
        workers = [start_worker(environment, tmp_path / "logs") for environment in environments]
        processes += workers

        posts = [_signed(customer) for customer in _customers(CUSTOMERS_WRITING) for _ in range(2)]
        random.Random(11).shuffle(posts)
        half = len(posts) // 2
        for index, body in enumerate(posts[:half]):
            _deliver(apis[index % 2], body)
        sent_ids = [_send(apis[index % 2], index) for index in range(SENDS // 2)]

        workers[0].kill()
        port = apis[1].port
        apis[1].stop()
        apis[1] = start_wahub(environments[1], tmp_path / "logs", "--role", "api", sandbox=False, port=port)
        processes.append(apis[1])

        for index, body in enumerate(posts[half:]):
            _deliver(apis[index % 2], body)
        sent_ids += [_send(apis[index % 2], index) for index in range(SENDS // 2, SENDS)]

        api = httpx.Client(base_url=apis[0].url, headers={"authorization": f"Bearer {ADMIN_KEY}"}, timeout=10.0)
        eventually(lambda: _all_applied(api), timeout=120, interval=1.0)
        at_meta = eventually(lambda: _all_sent(simulator_url, sent_ids), timeout=180, interval=1.0)
        listed = conversations(api)
    finally:
        for process in processes:
            process.stop()

    assert all(listed[customer]["unread_count"] == 1 for customer in _customers(CUSTOMERS_WRITING)), listed
    assert collections.Counter(_ours(m) for m in at_meta) == {message_id: 1 for message_id in sent_ids}
    times = sorted(datetime.fromisoformat(str(m["at"])).timestamp() for m in at_meta)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= LIMIT, f"{busiest} sends in one second at the simulator, limit {LIMIT}"


def _customers(count: int) -> list[str]:
    return [f"1650555{n:04d}" for n in range(count)]


def _signed(customer: str) -> bytes:
    message = text_message(wamid=f"wamid.FLEET{customer}", sender=customer, body="storm", at=datetime.now().astimezone())
    return envelope(messages_change(messages=[message]))


def _deliver(api: WahubServer, body: bytes) -> None:
    """As Meta does: again until it is answered 200 (a process restarting refuses the connection)."""

    def answered() -> bool:
        try:
            reply = httpx.post(f"{api.url}/webhook", content=body, timeout=10.0,
                               headers={"x-hub-signature-256": sign(SECRET.encode(), body), "content-type": "application/json"})
        except httpx.TransportError:
            return False
        return reply.status_code == 200

    eventually(answered, timeout=60, interval=0.2)


def _send(api: WahubServer, index: int) -> str:
    reply = api.api().post("/v1/messages", json={"to": f"+1650777{index:04d}", **HELLO_WORLD})
    assert reply.status_code == 202, reply.text
    message_id: str = reply.json()["id"]
    return message_id


def _all_applied(api: httpx.Client) -> bool:
    writing = set(_customers(CUSTOMERS_WRITING))
    return writing <= {customer for customer, c in conversations(api).items() if c.get("unread_count")}


def _all_sent(simulator_url: str, sent_ids: list[str]) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = httpx.get(f"{simulator_url}/_sim/messages", timeout=10).json()
    assert set(sent_ids) <= {_ours(m) for m in messages}, f"{len(messages)} of {len(sent_ids)} sent"
    return messages


def _ours(sent: dict[str, object]) -> object:
    """Our message id, which travels in biz_opaque_callback_data."""
    payload = sent["payload"]
    assert isinstance(payload, dict)
    return payload.get("biz_opaque_callback_data")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False

