"""GET /v1/events over a real connection: a client that reconnects gets what it missed, and after a
server restart it is told to reload instead of silently missing events."""

from __future__ import annotations

from contextlib import closing

from tests.e2e.conftest import StartWahub
from tests.e2e.support import EventStream, Sse, customer_writes, reaches

HELLO_WORLD = {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}


def test_reconnecting_with_last_event_id_replays_exactly_the_missed_events_and_a_restart_says_reload(start: StartWahub) -> None:
    wahub = start()
    api = wahub.api()
    with closing(EventStream(wahub)) as stream:
        wamid = customer_writes(wahub.simulator(), "16505551234", "Hi")
        seen = stream.until(lambda events: any(e.event == "message.received" for e in events))
    last_seen = seen[-1].id
    missed = api.post("/v1/messages", json={"to": "+16505550007", **HELLO_WORLD}).json()["id"]
    reaches(api, missed, "read")

    def read_event(events: list[Sse]) -> bool:
        return any(e.event == "message.status" and e.data["id"] == missed and e.data["status"] == "read" for e in events)

    with closing(EventStream(wahub, last_event_id=last_seen)) as resumed:
        replayed = resumed.until(read_event)
    wahub.stop()
    restarted = start()
    with closing(EventStream(restarted, last_event_id=replayed[-1].id)) as after_restart:
        reset = after_restart.until(lambda events: len(events) >= 1)

    assert seen[-1].data["wamid"] == wamid
    assert [int(e.id) for e in replayed] == list(range(int(last_seen) + 1, int(replayed[-1].id) + 1)), "nothing missed, nothing twice"
    assert replayed[0].event == "message.created" and replayed[0].data["id"] == missed
    assert reset[0].event == "stream.reset" and "reload" in reset[0].data["reason"], reset[0]
