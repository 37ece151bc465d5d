"""Setup checks: each verdict follows from what Meta answered, and every failure says how to fix it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from domain.content import Text
from domain.ids import CustomerId, MessageId, PhoneNumberId
from domain.messages import Direction, Message
from domain.meta_errors import CloudApiError
from domain.setup import (
    REQUIRED_SCOPES,
    PhoneNumberStatus,
    TokenInfo,
    phone_number_check,
    round_trip_check,
    subscription_check,
    templates_check,
    token_check,
    webhook_check,
)
from domain.status import Failure, MessageStatus, StatusEvent, StatusRecord, apply_status

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD_TOKEN = TokenInfo(is_valid=True, app_id="1457228471964321", scopes=list(REQUIRED_SCOPES))
GOOD_NUMBER = PhoneNumberStatus(
    verified_name="Acme", code_verification_status="VERIFIED", quality_rating="GREEN", name_status="APPROVED",
    throughput_level="STANDARD",
)
EXPIRED = CloudApiError(190, "Error validating access token: Session has expired")


def test_a_valid_token_with_both_permissions_that_never_expires_passes() -> None:
    check = token_check(GOOD_TOKEN, NOW)

    assert (check.passed, check.fix) == (True, None)
    assert "never expires" in check.summary


def test_a_token_meta_refuses_fails_with_metas_code_and_how_to_make_one() -> None:
    check = token_check(EXPIRED, NOW)

    assert check.passed is False and check.facts["error_code"] == 190
    assert check.fix is not None and "System User" in check.fix


def test_a_token_missing_a_permission_names_it() -> None:
    check = token_check(msgspec.structs.replace(GOOD_TOKEN, scopes=["whatsapp_business_messaging"]), NOW)

    assert check.passed is False
    assert "whatsapp_business_management" in check.summary and check.fix is not None


def test_a_token_past_its_expiry_fails_and_one_expiring_soon_passes_with_a_warning() -> None:
    expired = token_check(msgspec.structs.replace(GOOD_TOKEN, expires_at=NOW - timedelta(seconds=1)), NOW)
    soon = token_check(msgspec.structs.replace(GOOD_TOKEN, expires_at=NOW + timedelta(days=2)), NOW)

    assert expired.passed is False
    assert soon.passed is True and "expires soon" in soon.summary


def test_a_verified_green_number_passes_and_each_problem_adds_its_fix() -> None:
    bad = msgspec.structs.replace(GOOD_NUMBER, code_verification_status="NOT_VERIFIED", name_status="DECLINED",
                                  quality_rating="RED")

    assert phone_number_check(GOOD_NUMBER).passed is True
    failed = phone_number_check(bad)
    assert failed.passed is False and failed.fix is not None
    assert all(word in failed.summary for word in ("NOT_VERIFIED", "DECLINED", "RED"))
    assert all(word in failed.fix for word in ("Verify the number", "display name", "quality"))


def test_the_app_must_be_among_the_subscribed_apps() -> None:
    assert subscription_check("1", ["1", "2"], "77").passed is True
    unsubscribed = subscription_check("1", [], "77")
    assert unsubscribed.passed is False and unsubscribed.fix is not None and "/77/subscribed_apps" in unsubscribed.fix
    assert subscription_check(None, [], "77").passed is None


def test_the_webhook_check_runs_only_with_a_url_and_explains_a_failure() -> None:
    assert webhook_check(None, None).passed is None
    assert webhook_check("https://wahub.example.com/webhook", None).passed is True
    failed = webhook_check("https://wahub.example.com/webhook", "it answered HTTP 403")
    assert failed.passed is False and "HTTP 403" in failed.summary and failed.fix is not None


def test_templates_pass_when_readable() -> None:
    assert templates_check(3).facts == {"count": 3}
    refused = templates_check(CloudApiError(200, "Requires whatsapp_business_management permission"))
    assert refused.passed is False and refused.fix is not None


def test_the_test_message_passes_once_a_status_comes_back_and_fails_without_one() -> None:
    queued = Message(
        id=MessageId("msg_1"), direction=Direction.OUTBOUND, phone_number_id=PhoneNumberId("1"),
        customer_id=CustomerId("16505550100"), content=Text(body="hi"), created_at=NOW, status=StatusRecord.queued(NOW),
    )
    sent = msgspec.structs.replace(queued, status=apply_status(queued.status, StatusEvent(status=MessageStatus.SENT, at=NOW)))
    failure = Failure(code=131030, title="Recipient phone number not in allowed list")
    failed = msgspec.structs.replace(
        queued, status=apply_status(queued.status, StatusEvent(status=MessageStatus.FAILED, at=NOW, failure=failure))
    )

    assert round_trip_check(queued, timed_out=False).passed is None
    assert round_trip_check(sent, timed_out=False).passed is True
    assert round_trip_check(queued, timed_out=True).passed is False
    refused = round_trip_check(failed, timed_out=False)
    assert refused.passed is False and "131030" in refused.summary and refused.fix is not None
