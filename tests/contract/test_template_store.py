"""TemplateStore contract: one template per (name, language), deleted one language or all at once."""

from __future__ import annotations

import msgspec

from application.ports import TemplateStore
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateStatus


def order_shipped(language: str, template_id: str | None = None) -> MessageTemplate:
    return MessageTemplate(
        name="order_shipped",
        language=language,
        category=TemplateCategory.UTILITY,
        components=[TemplateComponent(type="BODY", text="Your order {{1}} is on its way")],
        id=template_id,
    )


WELCOME = MessageTemplate(
    name="welcome", language="en_US", category=TemplateCategory.MARKETING,
    components=[TemplateComponent(type="BODY", text="Welcome to the shop")],
)


async def test_a_saved_template_is_found_by_name_and_language_and_by_id(template_store: TemplateStore) -> None:
    await template_store.save(order_shipped("en_US", "594425479261596"))

    assert await template_store.get("order_shipped", "en_US") == order_shipped("en_US", "594425479261596")
    assert await template_store.find_by_id("594425479261596") == order_shipped("en_US", "594425479261596")
    assert await template_store.get("order_shipped", "pt_BR") is None
    assert await template_store.find_by_id("404") is None


async def test_saving_the_same_name_and_language_replaces_it(template_store: TemplateStore) -> None:
    await template_store.save(order_shipped("en_US"))

    await template_store.save(msgspec.structs.replace(order_shipped("en_US"), status=TemplateStatus.APPROVED))

    assert [t.status for t in await template_store.list()] == [TemplateStatus.APPROVED]


async def test_the_list_holds_every_language_of_every_template(template_store: TemplateStore) -> None:
    for template in (order_shipped("en_US"), order_shipped("pt_BR"), WELCOME):
        await template_store.save(template)

    listed = await template_store.list()

    assert sorted((t.name, t.language) for t in listed) == [
        ("order_shipped", "en_US"), ("order_shipped", "pt_BR"), ("welcome", "en_US"),
    ]


async def test_deleting_one_language_keeps_the_others(template_store: TemplateStore) -> None:
    for template in (order_shipped("en_US"), order_shipped("pt_BR")):
        await template_store.save(template)

    assert await template_store.delete("order_shipped", "pt_BR") == 1

    assert [t.language for t in await template_store.list()] == ["en_US"]


async def test_deleting_without_a_language_removes_every_language_of_that_name(template_store: TemplateStore) -> None:
    for template in (order_shipped("en_US"), order_shipped("pt_BR"), WELCOME):
        await template_store.save(template)

    assert await template_store.delete("order_shipped", None) == 2

    assert [t.name for t in await template_store.list()] == ["welcome"]


async def test_deleting_an_unknown_template_removes_nothing(template_store: TemplateStore) -> None:
    assert await template_store.delete("order_shipped", None) == 0
