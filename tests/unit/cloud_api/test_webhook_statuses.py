"""A status of one of our messages keeps Meta's time, pricing and failure; a bad one is refused alone."""

from __future__ import annotations

import pytest

from domain.messages import Pricing
from domain.status import Failure, MessageStatus
from domain.webhook_events import StatusReported, UndecodableItem
from tests.unit.cloud_api.webhook_payloads import (
    OUR_TEMPLATE_MESSAGE,
    SHOP_NUMBER,
    UK_SHOP_NUMBER,
    at,
    payload,
    post,
    statuses_of,
    the_status,
)

UK_STATUSES = "entry[1].changes[1].value.statuses"


def test_a_sent_status_keeps_metas_time_pricing_and_callback_data() -> None:
    status = the_status("status_sent.json")

    assert status.wamid == OUR_TEMPLATE_MESSAGE
    assert status.phone_number_id == SHOP_NUMBER
    assert status.recipient.wa_id == "16505551234"
    assert status.conversation is not None and status.conversation.origin == "marketing"
    assert status.event.status is MessageStatus.SENT
    assert status.event.at == at(1750031000)
    assert status.pricing == Pricing(category="marketing", type="regular", pricing_model="PMP", billable=True)
    assert status.callback_data == "order-42"


def test_metas_hyphenated_pricing_category_reads_as_the_underscored_one() -> None:
    body = payload("status_sent.json")
    statuses_of(body)[0]["pricing"]["category"] = "authentication-international"

    [status] = post(body)

    assert isinstance(status, StatusReported) and status.pricing is not None
    assert status.pricing.category == "authentication_international"


def test_delivered_and_read_statuses_keep_metas_own_timestamps() -> None:
    delivered, read = the_status("status_delivered.json"), the_status("status_read.json")

    assert (delivered.event.status, delivered.event.at) == (MessageStatus.DELIVERED, at(1750031004))
    assert (read.event.status, read.event.at, read.pricing) == (MessageStatus.READ, at(1750031187), None)


def test_a_failed_status_carries_metas_code_title_and_details() -> None:
    status = the_status("status_failed.json")

    assert status.event.status is MessageStatus.FAILED
    assert status.event.failure == Failure(
        code=131047,
        title="Re-engagement message",
        details="Message failed to send because more than 24 hours have passed "
        "since the customer last replied to this number.",
    )


def test_status_values_wahub_keeps_no_state_for_yield_nothing() -> None:
    body = payload("status_read.json")
    statuses_of(body)[0]["status"] = "deleted"

    assert post(body) == []


@pytest.mark.parametrize(
    ("odd", "reason"),
    [
        (
            {"id": "4a1f0c"},
            f"{UK_STATUSES}[0].id: '4a1f0c' is not a WhatsApp message id: wamids look like 'wamid.HBgL...'",
        ),
        ({"timestamp": "yesterday"}, f"{UK_STATUSES}[0].timestamp is 'yesterday', not unix seconds"),
        ({"status": None}, f"Expected `str`, got `null` - at `{UK_STATUSES}[0].status`"),
    ],
)
def test_a_status_that_cannot_be_applied_is_refused_alone_and_its_siblings_still_arrive(
    odd: dict[str, object], reason: str
) -> None:
    body = payload("batched.json")
    statuses_of(body, entry=1, change=1)[0].update(odd)

    events = post(body)

    assert [e for e in events if isinstance(e, UndecodableItem)] == [
        UndecodableItem(path=f"{UK_STATUSES}[0]", reason=reason, phone_number_id=UK_SHOP_NUMBER)
    ]
    statuses = [(e.phone_number_id, e.event.status) for e in events if isinstance(e, StatusReported)]
    assert statuses == [
        (SHOP_NUMBER, MessageStatus.SENT),
        (SHOP_NUMBER, MessageStatus.DELIVERED),
        (UK_SHOP_NUMBER, MessageStatus.FAILED),
    ]


def test_a_status_without_a_required_key_names_the_key() -> None:
    body = payload("status_sent.json")
    del statuses_of(body)[0]["status"]

    assert post(body) == [
        UndecodableItem(
            path="entry[0].changes[0].value.statuses[0]",
            reason="Object missing required field `status` - at `entry[0].changes[0].value.statuses[0]`",
            phone_number_id=SHOP_NUMBER,
        )
    ]
