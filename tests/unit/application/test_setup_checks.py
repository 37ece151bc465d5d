"""Setup checks over the fake Cloud API: what Meta answers becomes each check's verdict; the test message waits
for its status webhook and gives up after STATUS_WAIT."""

from __future__ import annotations

import msgspec

from application.ports import PhoneNumberInfo
from application.setup_checks import RunSetupChecks, SendTestMessage, SetupTarget
from domain.ids import CustomerId, PhoneNumberId, WabaId
from domain.messages import Message
from domain.meta_errors import CloudApiError
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateStatus
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change, status

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
TARGET = SetupTarget(phone_number_id=NUMBER, waba_id=WabaId("102290129340398"), verify_token="t", callback_url=None)
RECIPIENT = CustomerId("16505550100")


class UnreachableWebhook:
    async def failure(self, url: str, verify_token: str) -> str | None:
        return f"{url} is not this test's to reach"


async def test_what_meta_answers_becomes_each_checks_verdict(harness: Harness) -> None:
    harness.cloud_api.register_phone_number(PhoneNumberInfo(
        id=NUMBER, display_phone_number="15550783881", verified_name="Acme", code_verification_status="VERIFIED",
    ))
    run = RunSetupChecks(cloud_api=harness.cloud_api, handshake=UnreachableWebhook(), clock=harness.clock)

    passing = {c.name: c.passed for c in await run(TARGET)}
    harness.cloud_api.fail_next(CloudApiError(190, "Error validating access token"), operation="token_info")
    harness.cloud_api.subscribed.clear()
    failing = {c.name: c for c in await run(TARGET)}

    assert passing == {"access_token": True, "phone_number": True, "webhook_subscription": True,
                       "webhook_handshake": None, "templates": True}
    assert failing["access_token"].passed is False and failing["webhook_subscription"].passed is None


async def test_a_handshake_that_fails_fails_the_webhook_check(harness: Harness) -> None:
    run = RunSetupChecks(cloud_api=harness.cloud_api, handshake=UnreachableWebhook(), clock=harness.clock)
    with_url = msgspec.structs.replace(TARGET, callback_url="https://wahub.example.com/webhook")

    [webhook] = [c for c in await run(with_url) if c.name == "webhook_handshake"]

    assert webhook.passed is False and "not this test's to reach" in webhook.summary


async def approved_hello_world(harness: Harness) -> None:
    await harness.stores.templates.save(MessageTemplate(
        name="hello_world", language="en_US", category=TemplateCategory.UTILITY,
        components=[TemplateComponent(type="BODY", text="Hello World")], status=TemplateStatus.APPROVED, id="1",
    ))


async def test_the_test_message_passes_when_its_status_comes_back(harness: Harness) -> None:
    await approved_hello_world(harness)

    async def meta_answers(seconds: float) -> None:
        await harness.dispatch()
        [sent] = await _outbound(harness)
        if sent.wamid is not None:
            report = status(wamid=sent.wamid, status="sent", at=harness.clock.now(), recipient=RECIPIENT,
                            callback_data=sent.id)
            await harness.receive(envelope(messages_change(statuses=[report])))
        harness.clock.advance(seconds)

    send = SendTestMessage(send_message=harness.send_message, messages=harness.stores.messages,
                           clock=harness.clock, sleep=meta_answers)

    verdict = await send(NUMBER, RECIPIENT)

    assert verdict.passed is True and verdict.facts["status"] == "sent"


async def test_the_test_message_fails_when_no_status_comes_back(harness: Harness) -> None:
    await approved_hello_world(harness)

    async def nothing_comes_back(seconds: float) -> None:
        harness.clock.advance(seconds)

    send = SendTestMessage(send_message=harness.send_message, messages=harness.stores.messages,
                           clock=harness.clock, sleep=nothing_comes_back)

    verdict = await send(NUMBER, RECIPIENT)

    assert verdict.passed is False and verdict.fix is not None and "webhook" in verdict.fix


async def test_the_test_message_is_refused_without_the_template(harness: Harness) -> None:
    send = SendTestMessage(send_message=harness.send_message, messages=harness.stores.messages, clock=harness.clock)

    verdict = await send(NUMBER, RECIPIENT)

    assert verdict.passed is False and verdict.fix is not None and "sync" in verdict.fix.lower()


async def _outbound(harness: Harness) -> list[Message]:
    page = await harness.stores.messages.history(NUMBER, RECIPIENT, cursor=None, limit=10)
    return page.items
