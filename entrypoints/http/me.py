"""`GET /v1/me`: who the calling key is, so a dashboard shows only what its role may do."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from application.access import permitted_actions
from entrypoints.http.auth import api_key, authenticated
from entrypoints.http.problems import problem_responses
from entrypoints.http.schemas import MeView


@get("/v1/me", guards=[authenticated], responses=problem_responses(401), tags=["keys"], sync_to_thread=False)
def me(request: Request[Any, Any, Any]) -> MeView:
    """The key's label and role, and the actions that role allows; any valid key may ask."""
    key = api_key(request)
    return MeView(name=key.name, role=key.role, actions=list(permitted_actions(key.role)))
