"""`/{version}/{waba_id}/message_templates`: create (PENDING, then a review), list with cursors, delete.

https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec
from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from domain.errors import DomainError
from domain.templates import MessageTemplate, TemplateStatus, validate_template
from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.meta_errors import MetaError, invalid_parameter
from entrypoints.simulator.request_body import json_object, require_waba
from entrypoints.simulator.setup import refuse_unreadable_templates

PATH = "/{version:str}/{waba_id:str}/message_templates"
DEFAULT_PAGE = 25


@post(PATH, status_code=200)
async def create_template(
    request: Request[Any, Any, Any], waba_id: FromPath[str], cloud: NamedDependency[SimulatedCloud]
) -> dict[str, Any]:
    require_waba(cloud, waba_id, "post")
    try:
        template = msgspec.convert(json_object(await request.body()), MessageTemplate)
        validate_template(template)
    except (msgspec.ValidationError, DomainError) as error:
        raise invalid_parameter(str(error)) from None
    if cloud.state.find_template(template.name, template.language) is not None:
        raise MetaError(100, "Invalid parameter", "Content in this language already exists", subcode=2388024)
    created = cloud.state.add_template(template, TemplateStatus.PENDING)
    cloud.review(created)
    return {"id": created.id, "status": str(created.status), "category": str(created.category)}


@get(PATH)
async def list_templates(
    request: Request[Any, Any, Any], waba_id: FromPath[str], cloud: NamedDependency[SimulatedCloud]
) -> dict[str, Any]:
    """Filters by name, status and language; pages with `limit` and opaque `after` cursors."""
    require_waba(cloud, waba_id, "get")
    refuse_unreadable_templates(cloud.state.setup)
    query = request.query_params
    matching = [
        t
        for t in cloud.state.templates.values()
        if all(query.get(key) in (None, value) for key, value in (("name", t.name), ("status", t.status), ("language", t.language)))
    ]
    start = _offset(query.get("after"))
    limit = int(query.get("limit") or DEFAULT_PAGE)
    page = matching[start : start + limit]
    answer: dict[str, Any] = {"data": [template_json(t) for t in page]}
    if page:
        answer["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page) - 1)}}
        if start + limit < len(matching):
            after = _cursor(start + len(page) - 1)
            answer["paging"]["next"] = f"{str(request.url).split('?')[0]}?limit={limit}&after={after}"
    return answer


@delete(PATH, status_code=200)
async def delete_template(
    waba_id: FromPath[str],
    cloud: NamedDependency[SimulatedCloud],
    name: FromQuery[str | None] = None,
    hsm_id: FromQuery[str | None] = None,
) -> dict[str, bool]:
    """By name every language goes; with hsm_id only that template."""
    require_waba(cloud, waba_id, "delete")
    if name is None:
        raise invalid_parameter("The parameter name is required.")
    doomed = [i for i, t in cloud.state.templates.items() if t.name == name and hsm_id in (None, i)]
    if not doomed:
        raise MetaError(100, "Invalid parameter", f"Message template {name!r} was not found", subcode=2593002)
    for template_id in doomed:
        del cloud.state.templates[template_id]
    return {"success": True}


def template_json(template: MessageTemplate) -> dict[str, Any]:
    """Meta's template object: quality under `quality_score.score`, format in capitals."""
    body: dict[str, Any] = {
        "name": template.name,
        "language": template.language,
        "category": str(template.category),
        "components": msgspec.to_builtins(template.components),
        "status": str(template.status),
        "id": template.id,
        "parameter_format": template.parameter_format.upper(),
        "quality_score": {"score": str(template.quality)},
    }
    if template.rejected_reason is not None:
        body["rejected_reason"] = template.rejected_reason
    return body


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(str(index).encode()).decode()


def _offset(after: str | None) -> int:
    """The cursor names the last item of the previous page; a bad one is Meta's 131059 (v24+)."""
    if after is None:
        return 0
    try:
        return int(base64.urlsafe_b64decode(after.encode()).decode()) + 1
    except ValueError:
        raise MetaError(131059, "Invalid pagination cursor", f"The cursor {after!r} is not valid.") from None
