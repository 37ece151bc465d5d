"""`wahub serve --role api` and `--role worker` on Firestore and Pub/Sub (both emulators): the flows of one process.

Customers' messages reach the API, are stored in Firestore and announced on Pub/Sub; the worker applies
them and sends the answer, whose statuses come back the same way.
"""

from __future__ import annotations

from tests.e2e.conftest import StartWahub
from tests.e2e.support import EventStream, customer_writes, reaches
from tests.firestore_emulator import PROJECT, FirestoreEmulator, firestore_emulator
from tests.pubsub_emulator import pubsub_emulator, pubsub_host, pubsub_prefix

__all__ = ["firestore_emulator", "pubsub_emulator", "pubsub_host", "pubsub_prefix"]

CUSTOMER = "16505554321"


def test_an_api_and_a_worker_on_pubsub_carry_a_message_in_and_the_answer_out(
    start: StartWahub, start_worker: StartWahub, firestore_emulator: FirestoreEmulator, pubsub_host: str, pubsub_prefix: str
) -> None:
    firestore_emulator.clear()
    fleet = {
        "WAHUB_STORE": "firestore",
        "WAHUB_FIRESTORE_PROJECT": PROJECT,
        "WAHUB_QUEUE": "pubsub",
        "WAHUB_PUBSUB_PREFIX": pubsub_prefix,
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host(),
        "PUBSUB_EMULATOR_HOST": pubsub_host,
    }
    server = start("--role", "api", **fleet)
    start_worker(**fleet)
    api, simulator = server.api(), server.simulator()
    stream = EventStream(server)
    try:
        wamid = customer_writes(simulator, CUSTOMER, "Do you ship to Lisbon?")
        stream.until(lambda events: any(e.event == "message.received" and e.data.get("wamid") == wamid for e in events))
        answer = api.post("/v1/messages", json={"to": f"+{CUSTOMER}", "type": "text", "text": {"body": "We do."}})
        assert answer.status_code == 202, answer.text
        message_id = answer.json()["id"]
    finally:
        stream.close()
    assert reaches(api, message_id, "read")["wamid"]
