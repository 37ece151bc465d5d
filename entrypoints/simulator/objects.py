"""`GET|DELETE /{version}/{object_id}`: one path for phone numbers, media and templates, as in the Graph API;
`GET /{version}/{waba_id}/phone_numbers`, the WABA's numbers (the simulator plays one), `debug_token` and
`GET /{version}/{waba_id}/subscribed_apps` (see setup.py)."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.media import url_answer
from entrypoints.simulator.meta_errors import unknown_object
from entrypoints.simulator.request_body import require_waba
from entrypoints.simulator.setup import phone_number_fields, subscribed_apps_answer, token_answer
from entrypoints.simulator.templates import template_json


@get("/{version:str}/{object_id:str}")
async def read_object(
    request: Request[Any, Any, Any], object_id: FromPath[str], cloud: NamedDependency[SimulatedCloud]
) -> dict[str, Any]:
    if object_id == cloud.config.phone_number_id:
        return _phone_number(cloud)
    if object_id == "debug_token":
        return token_answer(cloud.state.setup, cloud.config.waba_id, cloud.now())
    template = cloud.state.templates.get(object_id)
    if template is not None:
        return template_json(template)
    media = cloud.state.live_media(object_id, cloud.now())
    if media is not None:
        return url_answer(request, cloud, media)
    raise unknown_object(object_id, "get")


@get("/{version:str}/{waba_id:str}/phone_numbers")
async def phone_numbers(waba_id: FromPath[str], cloud: NamedDependency[SimulatedCloud]) -> dict[str, Any]:
    """One page, as Meta answers a WABA with few numbers: cursors but no `next`."""
    require_waba(cloud, waba_id, "get")
    number = _phone_number(cloud)
    return {"data": [number], "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}}}


@get("/{version:str}/{waba_id:str}/subscribed_apps")
async def subscribed_apps(waba_id: FromPath[str], cloud: NamedDependency[SimulatedCloud]) -> dict[str, Any]:
    require_waba(cloud, waba_id, "get")
    return subscribed_apps_answer(cloud.state.setup)


@delete("/{version:str}/{object_id:str}", status_code=200)
async def delete_object(object_id: FromPath[str], cloud: NamedDependency[SimulatedCloud]) -> dict[str, bool]:
    """Deleting media ends its id and every URL handed out for it."""
    if cloud.state.live_media(object_id, cloud.now()) is None:
        raise unknown_object(object_id, "delete")
    del cloud.state.media[object_id]
    return {"success": True}


def _phone_number(cloud: SimulatedCloud) -> dict[str, Any]:
    config = cloud.config
    return {
        "id": config.phone_number_id,
        "display_phone_number": config.display_phone_number,
        "verified_name": config.verified_name,
        "platform_type": "CLOUD_API",
        **phone_number_fields(cloud.state.setup),
    }
