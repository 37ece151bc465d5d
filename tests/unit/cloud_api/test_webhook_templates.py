"""A template's review outcome or quality score, timed by its entry since Meta's value carries no time."""

from __future__ import annotations

from domain.ids import WabaId
from domain.webhook_events import TemplateQualityChanged, TemplateStatusChanged, UndecodableItem
from tests.unit.cloud_api.webhook_payloads import at, decode_fixture, payload, post


def test_a_template_review_outcome_is_timed_by_the_entry_and_keeps_the_reason() -> None:
    assert decode_fixture("template_status_update.json") == [
        TemplateStatusChanged(
            waba_id=WabaId("102290129340398"),
            template_id="806312974732579",
            name="order_shipped",
            language="en_US",
            status="REJECTED",
            at=at(1750033320),
            reason="INVALID_FORMAT",
        )
    ]


def test_an_approval_has_no_reason() -> None:
    body = payload("template_status_update.json")
    body["entry"][0]["changes"][0]["value"].update(event="APPROVED", reason="NONE")

    [event] = post(body)

    assert isinstance(event, TemplateStatusChanged)
    assert (event.status, event.reason) == ("APPROVED", None)


def test_a_template_quality_change_reports_the_new_score() -> None:
    assert decode_fixture("template_quality_update.json") == [
        TemplateQualityChanged(
            waba_id=WabaId("102290129340398"),
            template_id="806312974732579",
            name="order_shipped",
            language="en_US",
            quality="YELLOW",
            at=at(1750034400),
        )
    ]


def test_a_template_change_without_entry_time_is_refused_rather_than_given_a_made_up_time() -> None:
    body = payload("template_quality_update.json")
    del body["entry"][0]["time"]

    assert post(body) == [
        UndecodableItem(
            path="entry[0].changes[0]",
            reason="entry[0].time is missing: template events take their time from it",
        )
    ]


def test_a_template_change_that_cannot_be_read_does_not_take_the_next_change_with_it() -> None:
    body = payload("template_status_update.json")
    changes = body["entry"][0]["changes"]
    changes.insert(0, {"field": "message_template_status_update", "value": {"event": "APPROVED"}})

    refused, applied = post(body)

    assert refused == UndecodableItem(
        path="entry[0].changes[0]",
        reason="Object missing required field `message_template_id` - at `entry[0].changes[0].value`",
    )
    assert isinstance(applied, TemplateStatusChanged) and applied.status == "REJECTED"
