"""The analytics summary over what really flowed: sends, statuses, failures and replies."""

from __future__ import annotations

from datetime import timedelta

from application.send_message import SendCommand
from domain.analytics import AnalyticsQuery
from domain.content import Text
from domain.ids import CustomerId, PhoneNumberId
from domain.meta_errors import CloudApiError
from tests.unit.application.conftest import START, Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change, status, text_message

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)


async def test_summary_counts_volumes_funnel_failures_and_first_response(harness: Harness) -> None:
    customers = [CustomerId(f"1650555000{n}") for n in range(3)]
    for n, customer in enumerate(customers):
        hello = text_message(wamid=f"wamid.IN{n}", sender=customer, body="Hi", at=harness.clock.now())
        await harness.receive(envelope(messages_change(messages=[hello])))
    harness.clock.advance(timedelta(minutes=2))
    sent = [
        (await harness.send_message(SendCommand(phone_number_id=NUMBER, to=c, content=Text(body="Hello")))).message
        for c in customers
    ]
    harness.cloud_api.fail_next(CloudApiError(131026, "Message undeliverable"))
    await harness.dispatch()
    delivered = [
        status(wamid=m.wamid or "", status="read", at=harness.clock.now(), recipient=m.customer_id, callback_data=m.id)
        for m in [await harness.stores.messages.get(s.id) for s in sent]
        if m is not None and m.wamid
    ]
    await harness.receive(envelope(messages_change(statuses=delivered[:1])))

    summary = await harness.analytics.summary(
        AnalyticsQuery(since=START, until=START + timedelta(days=1), phone_number_id=NUMBER)
    )

    day = START.date().isoformat()
    assert {(v.day, v.direction, v.count) for v in summary.volumes} == {(day, "inbound", 3), (day, "outbound", 3)}
    assert (summary.funnel.outbound, summary.funnel.read) == (3, 1)
    assert [(f.code, f.count) for f in summary.failure_reasons] == [(131026, 1)]
    assert summary.average_first_response_seconds == 120
