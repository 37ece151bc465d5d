"""The simulator's webhooks are Meta's: signed over the raw bytes, in the envelope wahub's decoder reads,
with statuses in order, pricing and our callback data, failures where Meta fails, and retries until answered."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from adapters.cloud_api.graph import GraphCloudApi
from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from application.ports import SendRequest
from domain.content import Image, Template, TemplateComponentParameters, TemplateLanguage, TemplateParameter, Text
from domain.ids import Bsuid, PhoneNumberId, WabaId, WaId
from domain.meta_errors import CloudApiError
from domain.status import MessageStatus
from domain.templates import (
    MessageTemplate,
    TemplateButton,
    TemplateCategory,
    TemplateComponent,
    TemplateExample,
    TemplateStatus,
)
from domain.webhook_events import (
    InboundMessageReceived,
    StatusReported,
    TemplateQualityChanged,
    TemplateStatusChanged,
    WebhookEvent,
)
from domain.webhook_signature import verify_signature
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.server import RunningSimulator, running_simulator
from tests.integration.cloud_api.webhook_receiver import VERIFY_TOKEN, WebhookReceiver, webhook_receiver

SECRET = "app-secret"
TOKEN = "token"
CUSTOMER = "16505551234"


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with webhook_receiver() as running:
        yield running


@pytest.fixture
async def simulator(receiver: WebhookReceiver) -> AsyncIterator[RunningSimulator]:
    config = SimulatorConfig(
        access_token=TOKEN,
        app_secret=SECRET,
        webhook_url=receiver.url,
        verify_token=VERIFY_TOKEN,
        webhook_retry_seconds=(0.01, 0.02),
    )
    async with running_simulator(config) as running:
        yield running


@pytest.fixture
async def graph(simulator: RunningSimulator) -> AsyncIterator[GraphCloudApi]:
    async with GraphCloudApi(TOKEN, base_url=simulator.url) as api:
        yield api


async def next_events(receiver: WebhookReceiver) -> list[WebhookEvent]:
    received = await receiver.next()
    verify_signature(SECRET.encode(), received.body, received.signature)
    return MetaWebhookDecoder().decode(received.body)


async def customer_sends(simulator: RunningSimulator, message: dict[str, object]) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        answer = await client.post("/_sim/inbound", json={"from": CUSTOMER, "name": "Sheena", **message})
    answer.raise_for_status()
    result: dict[str, object] = answer.json()
    return result


def send(simulator: RunningSimulator, content: Text | Image | Template) -> SendRequest:
    return SendRequest(phone_number_id=PhoneNumberId(simulator.config.phone_number_id), to=WaId(CUSTOMER), content=content, callback_data="msg_7")


async def test_a_template_send_reports_sent_delivered_read_with_pricing_and_callback_data(
    simulator: RunningSimulator, graph: GraphCloudApi, receiver: WebhookReceiver
) -> None:
    wamid = await graph.send(send(simulator, Template(name="hello_world", language=TemplateLanguage(code="en_US"))))

    statuses = [(await next_events(receiver))[0] for _ in range(3)]

    assert all(isinstance(s, StatusReported) and s.wamid == wamid and s.callback_data == "msg_7" for s in statuses)
    assert [s.event.status for s in statuses if isinstance(s, StatusReported)] == [
        MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ
    ]
    first = statuses[0]
    assert isinstance(first, StatusReported) and first.pricing is not None and first.pricing.category == "utility"


async def test_free_form_outside_the_window_is_accepted_then_failed_with_131047(
    simulator: RunningSimulator, graph: GraphCloudApi, receiver: WebhookReceiver
) -> None:
    wamid = await graph.send(send(simulator, Text(body="Are you there?")))

    [failed] = await next_events(receiver)

    assert isinstance(failed, StatusReported) and failed.wamid == wamid
    assert failed.event.status is MessageStatus.FAILED and failed.event.failure is not None
    assert failed.event.failure.code == 131047


async def test_a_customer_message_opens_the_window_and_its_media_downloads(
    simulator: RunningSimulator, graph: GraphCloudApi, receiver: WebhookReceiver
) -> None:
    jpeg = b"\xff\xd8\xff\xe0 a tiny parcel photo"
    await customer_sends(simulator, {"type": "image", "image": {"caption": "It arrived \N{PARTY POPPER}"},
                                     "media": {"data_base64": base64.b64encode(jpeg).decode(), "mime_type": "image/jpeg"}})
    received = await receiver.next()
    [inbound] = MetaWebhookDecoder().decode(received.body)
    assert isinstance(inbound, InboundMessageReceived) and isinstance(inbound.content, Image)
    assert inbound.content.caption == "It arrived \N{PARTY POPPER}" and received.body.isascii()

    downloaded = await graph.download_media((await graph.media_url(inbound.content.id or "")).url)
    await graph.send(send(simulator, Text(body="Glad it arrived")))
    [sent] = await next_events(receiver)

    assert downloaded == jpeg
    assert isinstance(sent, StatusReported) and sent.event.status is MessageStatus.SENT


@pytest.mark.parametrize(
    "message",
    [
        {"type": "text", "text": {"body": "Does it come in blue?"}},
        {"type": "location", "location": {"latitude": 37.48, "longitude": -122.15, "name": "Home"}},
        {"type": "contacts", "contacts": [{"name": {"formatted_name": "Ana"}, "phones": [{"phone": "+1 555"}]}]},
        {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}},
        {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "r1", "title": "Row"}}},
        {"type": "button", "button": {"payload": "CANCEL_42", "text": "Cancel"}},
        {"type": "reaction", "reaction": {"message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI=", "emoji": "\N{THUMBS UP SIGN}"}},
        {"type": "order", "order": {"catalog_id": "1", "product_items": [{"product_retailer_id": "sku", "quantity": 1, "item_price": 9.5, "currency": "EUR"}]}},
        {"type": "unsupported", "unsupported": {"type": "poll"}},
    ],
)
async def test_every_inbound_type_decodes(simulator: RunningSimulator, receiver: WebhookReceiver, message: dict[str, object]) -> None:
    await customer_sends(simulator, message)

    [inbound] = await next_events(receiver)

    assert isinstance(inbound, InboundMessageReceived) and inbound.identity.wa_id == CUSTOMER
    assert inbound.content.__struct_config__.tag == message["type"]


async def test_a_created_template_is_reviewed_and_reported(
    simulator: RunningSimulator, graph: GraphCloudApi, receiver: WebhookReceiver
) -> None:
    template = next(t for t in simulator.cloud.state.templates.values() if t.name == "hello_world")
    notice = msgspec.structs.replace(template, name="shipping_notice", id=None)
    created = await graph.create_template(WabaId(simulator.config.waba_id), notice)

    [review] = await next_events(receiver)

    assert isinstance(review, TemplateStatusChanged)
    assert (review.template_id, review.name, review.status) == (created.id, "shipping_notice", "APPROVED")


async def test_a_quality_rating_told_to_the_control_api_is_reported_as_meta_reports_it(
    simulator: RunningSimulator, receiver: WebhookReceiver
) -> None:
    template = next(t for t in simulator.cloud.state.templates.values() if t.name == "hello_world")
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        answer = await client.post(f"/_sim/templates/{template.id}/quality", json={"quality": "YELLOW"})
    assert answer.json() == {"id": template.id, "quality": "YELLOW"}

    received = await receiver.next()
    [rating] = MetaWebhookDecoder().decode(received.body)

    assert isinstance(rating, TemplateQualityChanged)
    assert (rating.template_id, rating.name, rating.language, rating.quality) == (template.id, "hello_world", "en_US", "YELLOW")
    change = msgspec.json.decode(received.body)["entry"][0]["changes"][0]
    assert change["field"] == "message_template_quality_update"
    assert change["value"]["previous_quality_score"] == "UNKNOWN"


async def test_an_unanswered_webhook_is_retried_until_it_gets_200(
    simulator: RunningSimulator, receiver: WebhookReceiver
) -> None:
    receiver.answers = [500, 503]
    await customer_sends(simulator, {"type": "text", "text": {"body": "hello?"}})

    attempts = [await receiver.next() for _ in range(3)]

    assert len({a.body for a in attempts}) == 1
    assert receiver.posts.empty()


async def test_held_deliveries_are_released_batched_into_one_post(simulator: RunningSimulator, receiver: WebhookReceiver) -> None:
    async with httpx.AsyncClient(base_url=simulator.url) as control:
        await control.put("/_sim/faults/webhooks", json={"hold": True})
        for body in ("one", "two", "three"):
            await customer_sends(simulator, {"type": "text", "text": {"body": body}})
        await control.put("/_sim/faults/webhooks", json={"batch": 10, "duplicate": True})

    first, second = await next_events(receiver), await next_events(receiver)

    assert len(first) == 3 and first == second


async def test_a_send_to_a_bsuid_goes_as_recipient_and_its_statuses_name_the_bsuid(
    simulator: RunningSimulator, graph: GraphCloudApi, receiver: WebhookReceiver
) -> None:
    answer = await customer_sends(simulator, {"type": "text", "text": {"body": "Hi"}})
    await next_events(receiver)
    bsuid = Bsuid(answer["customer"]["user_id"])  # type: ignore[index]
    request = SendRequest(
        phone_number_id=PhoneNumberId(simulator.config.phone_number_id), recipient=bsuid, content=Text(body="Hello")
    )

    wamid = await graph.send(request)

    [sent] = await next_events(receiver)
    assert isinstance(sent, StatusReported) and sent.wamid == wamid and sent.event.status is MessageStatus.SENT
    assert sent.recipient.user_id == bsuid and sent.recipient.wa_id == CUSTOMER


async def test_a_customer_hiding_their_number_writes_in_by_bsuid_and_username_only(
    simulator: RunningSimulator, receiver: WebhookReceiver
) -> None:
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        hidden = await client.put(f"/_sim/customers/{CUSTOMER}", json={"username": "sheena.n", "hide_number": True})
    bsuid = hidden.json()["user_id"]

    await customer_sends(simulator, {"type": "text", "text": {"body": "Hi"}})

    [inbound] = await next_events(receiver)
    assert isinstance(inbound, InboundMessageReceived)
    assert inbound.identity.wa_id is None and inbound.identity.user_id == bsuid
    assert inbound.identity.username == "sheena.n"


async def test_a_changed_bsuid_notice_names_the_previous_bsuid_as_meta_does(
    simulator: RunningSimulator, receiver: WebhookReceiver
) -> None:
    """Meta (changelog, Aug 2026): both notices carry `system.previous_user_id` beside the new `user_id`."""
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        before = (await client.put(f"/_sim/customers/{CUSTOMER}", json={})).json()["user_id"]
        after = (await client.post(f"/_sim/customers/{CUSTOMER}/user-id")).json()["user_id"]

    received = await receiver.next()
    [message] = msgspec.json.decode(received.body)["entry"][0]["changes"][0]["value"]["messages"]
    assert message["system"] | {"body": ""} == {
        "body": "", "type": "user_changed_user_id", "user_id": after, "previous_user_id": before,
    }
    [notice] = MetaWebhookDecoder().decode(received.body)
    assert isinstance(notice, InboundMessageReceived)
    assert notice.identity.user_id == Bsuid(after) and notice.former == (before,)


async def test_a_code_template_to_a_bsuid_is_refused_with_131062(
    simulator: RunningSimulator, graph: GraphCloudApi
) -> None:
    answer = await customer_sends(simulator, {"type": "text", "text": {"body": "Hi"}})
    login = MessageTemplate(
        name="login_code", language="en_US", category=TemplateCategory.AUTHENTICATION,
        components=[
            TemplateComponent(type="BODY", text="{{1}} is your code.", example=TemplateExample(body_text=[["123456"]])),
            TemplateComponent(type="BUTTONS", buttons=[TemplateButton(type="OTP", text="Copy code")]),
        ],
    )
    simulator.cloud.state.add_template(login, TemplateStatus.APPROVED)
    send = Template(
        name="login_code", language=TemplateLanguage(code="en_US"),
        components=[
            TemplateComponentParameters(type="body", parameters=[TemplateParameter(type="text", text="123456")]),
            TemplateComponentParameters(
                type="button", sub_type="url", index=0, parameters=[TemplateParameter(type="text", text="123456")]
            ),
        ],
    )
    request = SendRequest(
        phone_number_id=PhoneNumberId(simulator.config.phone_number_id),
        recipient=Bsuid(answer["customer"]["user_id"]),  # type: ignore[index]
        content=send,
    )

    with pytest.raises(CloudApiError) as refused:
        await graph.send(request)

    assert refused.value.code == 131062
