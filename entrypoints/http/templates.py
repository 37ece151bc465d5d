"""Message templates: the body of a create mirrors Meta's own, so a template written for Meta works here as is.

https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, QueryParameter

from application.access import Action
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent
from entrypoints.http.auth import requires
from entrypoints.http.paths import TemplateNamePath
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import DeletedTemplatesView, TemplateView, template_view

ONE_LANGUAGE = "Only this language; every language of the name when omitted, as Meta does"


class TemplateCreate(msgspec.Struct, frozen=True, kw_only=True):
    """What Meta's create call takes; status and id are Meta's to give, so they cannot be sent."""

    name: str
    language: str
    category: TemplateCategory
    components: list[TemplateComponent]
    parameter_format: Literal["positional", "named"] = "positional"


class TemplatesController(Controller):
    path = "/v1/templates"
    tags = ["templates"]

    @get("/", guards=[requires(Action.READ_TEMPLATES)])
    async def list_templates(self, request: Request[Any, Any, Any]) -> list[TemplateView]:
        runtime: Runtime = request.app.state.runtime
        return [template_view(t) for t in await runtime.use_cases.list_templates()]

    @post("/", status_code=201, guards=[requires(Action.MANAGE_TEMPLATES)])
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[TemplateCreate]) -> TemplateView:
        """Checked against Meta's creation rules first, then registered; it stays PENDING until Meta reviews it."""
        runtime: Runtime = request.app.state.runtime
        template = MessageTemplate(
            name=data.name,
            language=data.language,
            category=data.category,
            components=data.components,
            parameter_format=data.parameter_format,
        )
        return template_view(await runtime.use_cases.create_template(template))

    @delete("/{name:str}", status_code=200, guards=[requires(Action.MANAGE_TEMPLATES)])
    async def delete_template(
        self,
        request: Request[Any, Any, Any],
        name: TemplateNamePath,
        language: Annotated[str | None, QueryParameter(description=ONE_LANGUAGE)] = None,
    ) -> DeletedTemplatesView:
        runtime: Runtime = request.app.state.runtime
        deleted = await runtime.use_cases.delete_template(name, language)
        return DeletedTemplatesView(name=name, language=language, deleted=deleted)

    @post("/sync", status_code=200, guards=[requires(Action.MANAGE_TEMPLATES)])
    async def sync(self, request: Request[Any, Any, Any]) -> list[TemplateView]:
        """Mirror Meta's list now, rather than waiting for status webhooks that a missed delivery may never bring."""
        runtime: Runtime = request.app.state.runtime
        return [template_view(t) for t in await runtime.use_cases.sync_templates()]
