"""What every operation of the OpenAPI document promises beyond its success: its refusals, as problem+json.

Litestar documents each route's success from its handler, and a generic 400; wahub's refusals are
RFC 9457 problems raised from one table (`problems.py`), so they are documented here, once, from the
shape of each operation: any /v1 operation may be refused for its key (401, 403), its input (400, 422)
or by Meta (502, 503); one with path parameters may name nothing (404); one with a body may send too
much (413); a send may meet a limit (409, 429). A client generated from the document so knows every
answer it can get, and schemathesis holds the server to it (tests/e2e/test_api_contract.py).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec

from entrypoints.http.problems import PROBLEM_JSON, ProblemView

PROBLEM_REF = "#/components/schemas/ProblemView"
EVENT_STREAM = "text/event-stream"


def document_refusals(document: dict[str, Any]) -> None:
    """Add the refusals each operation may answer to `document` (Litestar's OpenAPI dict), in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _, components = msgspec.json.schema_components([ProblemView], ref_template="#/components/schemas/{name}")
    schemas.update(components)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                for status in refusals(path, method, operation):
                    operation["responses"][str(status)] = _problem(status)


def refusals(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    has_body = "requestBody" in operation
    has_path_parameters = any(p.get("in") == "path" for p in operation.get("parameters", []))
    if path == "/webhook":
        return [400, 401, 413] if method == "post" else [400, 403]
    if path == "/metrics":
        return [401]
    if path == "/readyz":
        return [503]
    if not path.startswith("/v1"):
        return []
    statuses = [400, 401, 403, 422, 502, 503]
    if has_path_parameters:
        statuses.append(404)
    if has_body:
        statuses.append(413)
    if method == "post":
        statuses += [409, 429]
    return sorted(statuses)


def _problem(status: int) -> dict[str, Any]:
    return {"description": HTTPStatus(status).phrase, "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}}
