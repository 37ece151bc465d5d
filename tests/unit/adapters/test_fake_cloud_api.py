"""FakeCloudApi: records what Meta accepted, raises scripted Meta errors in order, and keeps media and templates."""

from __future__ import annotations

import hashlib

import pytest

from adapters.memory.cloud_api import FakeCloudApi, MarkedRead
from application.ports import MediaUrl, PhoneNumberInfo, SendRequest
from domain.content import Text
from domain.ids import PhoneNumberId, WabaId, WaId, Wamid
from domain.meta_errors import CloudApiError
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateStatus

SHOP_NUMBER = PhoneNumberId("106540352242922")
WABA = WabaId("102290129340398")
SHIPPED = SendRequest(phone_number_id=SHOP_NUMBER, to=WaId("16505551234"), content=Text(body="Your order shipped"))
THROUGHPUT = CloudApiError(130429, "Rate limit hit", http_status=400)
UNDELIVERABLE = CloudApiError(131026, "Message undeliverable", http_status=400)
INVOICE = b"%PDF-1.7 invoice 1042"


def order_update(language: str) -> MessageTemplate:
    return MessageTemplate(
        name="order_update", language=language, category=TemplateCategory.UTILITY,
        components=[TemplateComponent(type="BODY", text="Order {{1}} has shipped.")],
    )


class TestSend:
    async def test_accepted_sends_are_recorded_with_deterministic_wamids(self) -> None:
        cloud = FakeCloudApi()

        wamids = [await cloud.send(SHIPPED), await cloud.send(SHIPPED)]

        assert wamids == [Wamid("wamid.FAKE1"), Wamid("wamid.FAKE2")]
        assert cloud.sent == [SHIPPED, SHIPPED]

    async def test_scripted_failures_are_raised_in_order_then_sends_succeed(self) -> None:
        cloud = FakeCloudApi()
        cloud.fail_next(THROUGHPUT, times=2)
        cloud.fail_next(UNDELIVERABLE)

        raised = [await _error_of(cloud) for _ in range(3)]

        assert [e.code for e in raised] == [130429, 130429, 131026]
        assert await cloud.send(SHIPPED) == Wamid("wamid.FAKE1")
        assert cloud.sent == [SHIPPED]

    async def test_a_failure_scripted_for_another_operation_leaves_sends_alone(self) -> None:
        cloud = FakeCloudApi()
        cloud.fail_next(UNDELIVERABLE, operation="mark_read")

        await cloud.send(SHIPPED)

        with pytest.raises(CloudApiError):
            await cloud.mark_read(SHOP_NUMBER, Wamid("wamid.IN1"), typing=True)

    def test_a_misspelt_operation_is_refused_at_once(self) -> None:
        with pytest.raises(ValueError, match="sendd"):
            FakeCloudApi().fail_next(THROUGHPUT, operation="sendd")


async def test_read_receipts_are_recorded() -> None:
    cloud = FakeCloudApi()

    await cloud.mark_read(SHOP_NUMBER, Wamid("wamid.IN1"), typing=True)

    assert cloud.marked_read == [MarkedRead(phone_number_id=SHOP_NUMBER, wamid=Wamid("wamid.IN1"), typing=True)]


class TestMedia:
    async def test_uploaded_media_round_trips_through_its_url(self) -> None:
        cloud = FakeCloudApi()

        media_id = await cloud.upload_media(SHOP_NUMBER, INVOICE, "application/pdf", "invoice-1042.pdf")
        location = await cloud.media_url(media_id)

        assert location == MediaUrl(
            url=f"https://fake.lookaside.local/{media_id}", mime_type="application/pdf",
            sha256=hashlib.sha256(INVOICE).hexdigest(), file_size=len(INVOICE),
        )
        assert await cloud.download_media(location.url) == INVOICE

    async def test_deleted_media_is_unknown_to_meta(self) -> None:
        cloud = FakeCloudApi()
        media_id = await cloud.upload_media(SHOP_NUMBER, INVOICE, "application/pdf", "invoice-1042.pdf")

        await cloud.delete_media(media_id)

        with pytest.raises(CloudApiError) as unknown:
            await cloud.media_url(media_id)
        assert (unknown.value.code, unknown.value.subcode) == (100, 33)

    async def test_an_unknown_download_url_answers_404(self) -> None:
        with pytest.raises(CloudApiError) as missing:
            await FakeCloudApi().download_media("https://fake.lookaside.local/404")
        assert missing.value.http_status == 404


class TestTemplates:
    async def test_a_created_template_gets_an_id_and_is_pending(self) -> None:
        cloud = FakeCloudApi()

        created = await cloud.create_template(WABA, order_update("en_US"))

        assert created.id is not None and created.status is TemplateStatus.PENDING
        assert await cloud.list_templates(WABA) == [created]
        assert await cloud.list_templates(WabaId("999")) == []

    async def test_the_same_name_and_language_cannot_be_created_twice(self) -> None:
        cloud = FakeCloudApi()
        await cloud.create_template(WABA, order_update("en_US"))

        with pytest.raises(CloudApiError, match="already exists"):
            await cloud.create_template(WABA, order_update("en_US"))

    async def test_deleting_by_name_removes_every_language(self) -> None:
        cloud = FakeCloudApi()
        for language in ("en_US", "pt_BR"):
            await cloud.create_template(WABA, order_update(language))

        await cloud.delete_template(WABA, "order_update", None)

        assert await cloud.list_templates(WABA) == []

    async def test_deleting_by_id_removes_only_that_language(self) -> None:
        cloud = FakeCloudApi()
        english = await cloud.create_template(WABA, order_update("en_US"))
        await cloud.create_template(WABA, order_update("pt_BR"))

        await cloud.delete_template(WABA, "order_update", english.id)

        assert [t.language for t in await cloud.list_templates(WABA)] == ["pt_BR"]

    async def test_meta_s_review_can_be_stood_in_for(self) -> None:
        cloud = FakeCloudApi()
        created = await cloud.create_template(WABA, order_update("en_US"))
        assert created.id is not None

        cloud.set_template_status(WABA, created.id, TemplateStatus.APPROVED)

        assert [t.status for t in await cloud.list_templates(WABA)] == [TemplateStatus.APPROVED]


async def test_only_configured_phone_numbers_are_known() -> None:
    info = PhoneNumberInfo(id=SHOP_NUMBER, display_phone_number="15550001234", verified_name="Corner Shop")
    cloud = FakeCloudApi([info])

    assert await cloud.phone_number_info(SHOP_NUMBER) == info
    with pytest.raises(CloudApiError) as unknown:
        await cloud.phone_number_info(PhoneNumberId("1"))
    assert (unknown.value.code, unknown.value.subcode) == (100, 33)


async def _error_of(cloud: FakeCloudApi) -> CloudApiError:
    with pytest.raises(CloudApiError) as raised:
        await cloud.send(SHIPPED)
    return raised.value
