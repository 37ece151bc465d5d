"""An odd message degrades to Unsupported when it still has an identity, and is refused alone when not.

Content degrades, identity refuses: a message is stored under its wamid and time, so one without
them becomes an UndecodableItem at its place in the POST, and every message beside it still arrives.
"""

from __future__ import annotations

import pytest

from domain.content import Text, Unsupported
from domain.ids import Wamid
from domain.webhook_events import InboundMessageReceived, UndecodableItem
from tests.unit.cloud_api.webhook_payloads import SHOP_NUMBER, messages_of, payload, post


def test_an_unknown_message_type_is_kept_as_unsupported_never_dropped() -> None:
    body = payload("text.json")
    message = messages_of(body)[0]
    del message["text"]
    message.update(type="poll_vote", poll_vote={"option": "Blue"})

    [event] = post(body)

    assert isinstance(event, InboundMessageReceived)
    assert event.content == Unsupported(
        original_type="poll_vote", detail="message type 'poll_vote' is not known to wahub"
    )
    assert event.wamid == Wamid("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUZCMTk0RDVFRjI4QjhFQzk4MgA=")
    assert event.customer_name == "Jos\u00e9 Garc\u00eda"


def test_a_known_type_without_its_object_is_kept_as_unsupported_with_metas_error() -> None:
    body = payload("text.json")
    del messages_of(body)[0]["text"]
    messages_of(body)[0]["type"] = "interactive"
    body["entry"][0]["changes"][0]["value"]["errors"] = [
        {"code": 131000, "title": "Something went wrong", "error_data": {"details": "Unsupported webhook payload"}}
    ]

    [event] = post(body)

    assert isinstance(event, InboundMessageReceived)
    assert event.content == Unsupported(
        original_type="interactive", detail="the 'interactive' message has no 'interactive' object"
    )


def test_one_odd_message_in_a_batch_is_kept_as_unsupported_and_the_others_still_arrive() -> None:
    body = payload("batched.json")
    good, other = messages_of(body)
    broken_location = dict(good, id="wamid.BROKEN1", type="location", location={"latitude": "north"})
    del broken_location["text"]
    strange_sender = dict(other, id="wamid.STRANGE2", **{"from": "US.13491208655302741918"})
    messages_of(body)[1:1] = [broken_location, strange_sender]

    events = [e for e in post(body) if isinstance(e, InboundMessageReceived)]

    assert [e.wamid for e in events] == [
        good["id"],
        "wamid.BROKEN1",
        "wamid.STRANGE2",
        other["id"],
        "wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUM0IwMDAwMDAwMDAwMDAwMDAwMwA=",
    ]
    assert events[0].content == Text(body="Where is my order?")
    assert events[1].content == Unsupported(
        original_type="location",
        detail="Meta's 'location' message did not decode: "
        "Expected `float`, got `str` - at `entry[0].changes[0].value.messages[1].location.latitude`",
    )
    assert isinstance(events[2].content, Unsupported) and "not a WhatsApp number" in (events[2].content.detail or "")
    assert events[2].identity.wa_id == "US.13491208655302741918"
    assert events[3].content == Text(body="Hej! \u00c4r ni \u00f6ppna idag?")


@pytest.mark.parametrize("key", ["id", "from", "timestamp"])
def test_a_message_without_its_identity_or_time_is_refused_alone_naming_where_it_is(key: str) -> None:
    body = payload("batched.json")
    first, second = messages_of(body)
    del first[key]

    events = post(body)

    assert events[0] == UndecodableItem(
        path="entry[0].changes[0].value.messages[0]",
        reason=f"Object missing required field `{key}` - at `entry[0].changes[0].value.messages[0]`",
        phone_number_id=SHOP_NUMBER,
    )
    assert [e.wamid for e in events if isinstance(e, InboundMessageReceived)][0] == second["id"]
    assert len(events) == 7, "every other message and status of the POST is still decoded"


def test_a_message_timestamp_that_is_not_unix_seconds_refuses_only_that_message() -> None:
    body = payload("text.json")
    messages_of(body)[0]["timestamp"] = "yesterday"

    assert post(body) == [
        UndecodableItem(
            path="entry[0].changes[0].value.messages[0]",
            reason="entry[0].changes[0].value.messages[0].timestamp is 'yesterday', not unix seconds",
            phone_number_id=SHOP_NUMBER,
        )
    ]
