"""The CloudApi contract: the in-memory fake and GraphCloudApi talking to the simulator over loopback HTTP
behave alike; Meta's refusals surface from the simulator as CloudApiError with Meta's code and classification."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from adapters.cloud_api.graph import GraphCloudApi
from adapters.memory.cloud_api import FakeCloudApi
from application.ports import CloudApi, PhoneNumberInfo, SendRequest
from domain.content import (
    Audio,
    Contact,
    ContactName,
    Contacts,
    Document,
    Image,
    Interactive,
    InteractiveAction,
    InteractiveText,
    Location,
    OutboundContent,
    Reaction,
    Reply,
    ReplyButton,
    Sticker,
    Template,
    TemplateComponentParameters,
    TemplateLanguage,
    TemplateParameter,
    Text,
    Video,
)
from domain.ids import PhoneNumberId, WabaId, WaId, Wamid
from domain.messages import ReplyContext
from domain.meta_errors import NETWORK_ERROR_CODE, CloudApiError
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateExample, TemplateStatus
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.server import RunningSimulator, running_simulator

PHONE = PhoneNumberId("106540352242922")
WABA = WabaId("102290129340398")
CUSTOMER = WaId("16505551234")
TOKEN = "simulated-token"
FROZEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ORDER_UPDATE = MessageTemplate(
    name="order_update",
    language="en_US",
    category=TemplateCategory.UTILITY,
    components=[
        TemplateComponent(type="BODY", text="Order {{1}} has shipped.", example=TemplateExample(body_text=[["SK-9"]]))
    ],
)


def simulator_config(**overrides: object) -> SimulatorConfig:
    return SimulatorConfig(access_token=TOKEN, app_secret="secret", phone_number_id=PHONE, waba_id=WABA, **overrides)  # type: ignore[arg-type]


@pytest.fixture(params=["fake", "simulator"])
async def cloud(request: pytest.FixtureRequest) -> AsyncIterator[CloudApi]:
    if request.param == "fake":
        yield FakeCloudApi([PhoneNumberInfo(id=PHONE, display_phone_number="15550001234", verified_name="wahub Test Number")])
        return
    async with running_simulator(simulator_config()) as simulator, GraphCloudApi(TOKEN, base_url=simulator.url) as api:
        yield api


def every_message_type(quoted: Wamid) -> list[OutboundContent]:
    link = "https://example.com/files/"
    return [
        Text(body="Your order shipped", preview_url=True),
        Image(link=link + "parcel.jpg", caption="Your parcel"),
        Video(link=link + "unboxing.mp4"),
        Audio(link=link + "note.mp3"),
        Document(link=link + "invoice.pdf", filename="invoice.pdf"),
        Sticker(link=link + "thanks.webp"),
        Location(latitude=37.48, longitude=-122.15, name="Warehouse"),
        Contacts(contacts=[Contact(name=ContactName(formatted_name="Support Desk"))]),
        Interactive(
            type="button",
            body=InteractiveText(text="Reschedule?"),
            action=InteractiveAction(buttons=[ReplyButton(reply=Reply(id="yes", title="Yes"))]),
        ),
        Reaction(message_id=quoted, emoji="\N{THUMBS UP SIGN}"),
        Template(name="hello_world", language=TemplateLanguage(code="en_US")),
    ]


async def test_every_message_type_is_accepted_with_a_wamid(cloud: CloudApi) -> None:
    first = await cloud.send(SendRequest(phone_number_id=PHONE, to=CUSTOMER, content=Text(body="Hello")))

    wamids = [
        await cloud.send(
            SendRequest(
                phone_number_id=PHONE,
                to=CUSTOMER,
                content=content,
                context=None if isinstance(content, Reaction) else ReplyContext(message_id=first),
                callback_data="msg_42",
            )
        )
        for content in every_message_type(first)
    ]

    assert all(wamid.startswith("wamid.") for wamid in wamids)
    assert len(set(wamids + [first])) == len(wamids) + 1


async def test_uploaded_media_round_trips_until_deleted(cloud: CloudApi) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))

    media_id = await cloud.upload_media(PHONE, png, "image/png", "parcel.png")
    url = await cloud.media_url(media_id)
    downloaded = await cloud.download_media(url.url)
    await cloud.delete_media(media_id)

    assert (downloaded, url.mime_type, url.file_size) == (png, "image/png", len(png))
    with pytest.raises(CloudApiError) as refused:
        await cloud.media_url(media_id)
    assert (refused.value.code, refused.value.subcode, refused.value.retryable) == (100, 33, False)


async def test_a_created_template_is_pending_listed_and_deleted_by_name(cloud: CloudApi) -> None:
    created = await cloud.create_template(WABA, ORDER_UPDATE)
    listed = {t.name: t for t in await cloud.list_templates(WABA)}
    await cloud.delete_template(WABA, "order_update", None)

    assert created.status is TemplateStatus.PENDING and created.id
    assert listed["order_update"].id == created.id
    assert "order_update" not in {t.name for t in await cloud.list_templates(WABA)}


async def test_a_second_template_in_the_same_language_is_refused(cloud: CloudApi) -> None:
    await cloud.create_template(WABA, ORDER_UPDATE)

    with pytest.raises(CloudApiError) as refused:
        await cloud.create_template(WABA, ORDER_UPDATE)

    assert (refused.value.code, refused.value.retryable) == (100, False)


async def test_phone_number_info_names_the_business_number(cloud: CloudApi) -> None:
    info = await cloud.phone_number_info(PHONE)

    assert (info.id, info.display_phone_number, info.verified_name) == (PHONE, "15550001234", "wahub Test Number")


async def test_the_wabas_phone_numbers_list_the_business_number(cloud: CloudApi) -> None:
    numbers = await cloud.phone_numbers(WABA)

    assert [(n.id, n.display_phone_number, n.verified_name) for n in numbers] == [
        (PHONE, "15550001234", "wahub Test Number")
    ]


async def test_an_unknown_phone_number_is_meta_unknown_object(cloud: CloudApi) -> None:
    with pytest.raises(CloudApiError) as refused:
        await cloud.phone_number_info(PhoneNumberId("999"))

    assert (refused.value.code, refused.value.subcode) == (100, 33)


@pytest.fixture
async def simulator() -> AsyncIterator[RunningSimulator]:
    async with running_simulator(simulator_config(clock=lambda: FROZEN, messages_per_second=3)) as running:
        yield running


@pytest.fixture
async def graph(simulator: RunningSimulator) -> AsyncIterator[GraphCloudApi]:
    async with GraphCloudApi(TOKEN, base_url=simulator.url) as api:
        yield api


def send_to(to: str, content: OutboundContent) -> SendRequest:
    return SendRequest(phone_number_id=PHONE, to=WaId(to), content=content)


async def refusal(call: object) -> CloudApiError:
    with pytest.raises(CloudApiError) as refused:
        await call  # type: ignore[misc]
    return refused.value


class TestMetaRefusalsThroughTheSimulator:
    async def test_a_wrong_token_is_190_and_permanent(self, simulator: RunningSimulator) -> None:
        async with GraphCloudApi("stolen", base_url=simulator.url) as api:
            error = await refusal(api.phone_number_info(PHONE))

        assert (error.code, error.http_status, error.retryable) == (190, 401, False)

    async def test_an_unknown_template_is_132001_with_http_404(self, graph: GraphCloudApi) -> None:
        error = await refusal(graph.send(send_to(CUSTOMER, Template(name="nope", language=TemplateLanguage(code="en_US")))))

        assert (error.code, error.http_status, error.retryable) == (132001, 404, False)

    async def test_parameters_a_template_does_not_have_are_132000(self, graph: GraphCloudApi) -> None:
        extra = [TemplateComponentParameters(type="body", parameters=[TemplateParameter(type="text", text="x")])]
        template = Template(name="hello_world", language=TemplateLanguage(code="en_US"), components=extra)

        error = await refusal(graph.send(send_to(CUSTOMER, template)))

        assert (error.code, error.retryable) == (132000, False)

    async def test_content_past_whatsapp_limits_is_100_naming_the_field(self, graph: GraphCloudApi) -> None:
        error = await refusal(graph.send(send_to(CUSTOMER, Text(body="x" * 4097))))

        assert (error.code, error.retryable) == (100, False)
        assert "text.body" in (error.details or "")

    async def test_past_the_numbers_throughput_is_130429_and_retryable(self, graph: GraphCloudApi) -> None:
        for n in range(3):
            await graph.send(send_to(f"1650555000{n}", Text(body="hi")))

        error = await refusal(graph.send(send_to("16505550009", Text(body="hi"))))

        assert (error.code, error.retryable) == (130429, True)

    async def test_past_the_pair_burst_of_45_is_131056_and_retryable(self) -> None:
        config = simulator_config(clock=lambda: FROZEN, messages_per_second=1000)
        async with running_simulator(config) as simulator, GraphCloudApi(TOKEN, base_url=simulator.url) as api:
            for _ in range(45):
                await api.send(send_to(CUSTOMER, Text(body="hi")))
            error = await refusal(api.send(send_to(CUSTOMER, Text(body="hi"))))

        assert (error.code, error.retryable) == (131056, True)

    async def test_a_media_type_whatsapp_refuses_is_131053(self, graph: GraphCloudApi) -> None:
        error = await refusal(graph.upload_media(PHONE, b"<html></html>", "text/html", "page.html"))

        assert (error.code, error.retryable) == (131053, False)

    async def test_an_injected_5xx_is_retryable(self, simulator: RunningSimulator, graph: GraphCloudApi) -> None:
        await control(simulator, "/_sim/faults/graph", {"fail": 1, "fail_status": 503, "fail_code": 133004})

        error = await refusal(graph.phone_number_info(PHONE))

        assert (error.code, error.http_status, error.retryable) == (133004, 503, True)
        assert (await graph.phone_number_info(PHONE)).id == PHONE

    async def test_an_injected_4xx_reads_as_what_it_is(self, simulator: RunningSimulator, graph: GraphCloudApi) -> None:
        await control(simulator, "/_sim/faults/graph", {"fail": 1, "fail_status": 400, "fail_code": 131009})

        error = await refusal(graph.phone_number_info(PHONE))

        assert (error.code, error.http_status, error.retryable) == (131009, 400, False)
        assert error.title == "Parameter value is not valid"

    async def test_a_dropped_connection_is_a_retryable_network_error(self, simulator: RunningSimulator, graph: GraphCloudApi) -> None:
        await control(simulator, "/_sim/faults/graph", {"drop": 1})

        error = await refusal(graph.send(send_to(CUSTOMER, Text(body="hi"))))

        assert (error.code, error.retryable) == (NETWORK_ERROR_CODE, True)

    async def test_a_slow_answer_past_the_timeout_is_a_retryable_network_error(self, simulator: RunningSimulator) -> None:
        await control(simulator, "/_sim/faults/graph", {"slow": 1, "slow_seconds": 0.5})
        async with GraphCloudApi(TOKEN, base_url=simulator.url, timeout_seconds=0.1) as api:
            error = await refusal(api.phone_number_info(PHONE))

        assert (error.code, error.retryable) == (NETWORK_ERROR_CODE, True)

    async def test_nothing_listening_is_a_retryable_network_error(self) -> None:
        async with GraphCloudApi(TOKEN, base_url="http://127.0.0.1:9") as api:
            error = await refusal(api.phone_number_info(PHONE))

        assert (error.code, error.retryable) == (NETWORK_ERROR_CODE, True)


async def control(simulator: RunningSimulator, path: str, body: object) -> None:
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        (await client.put(path, json=body)).raise_for_status()
