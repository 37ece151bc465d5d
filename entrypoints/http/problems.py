"""Every refusal as application/problem+json (RFC 9457), mapped from its error type in one table."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi import ResponseSpec

from application.access import Forbidden, Unauthenticated
from domain.errors import (
    DomainError,
    InvalidCursor,
    InvalidIdentifier,
    InvalidSignature,
    MessagingLimitReached,
    NotFound,
    NotRetryable,
    TemplateRequired,
)
from domain.meta_errors import CloudApiError
from domain.search import InvalidSearch

PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: list[tuple[type[Exception], int, str]] = [
    (Unauthenticated, 401, "Unauthenticated"),
    (InvalidSignature, 401, "Invalid webhook signature"),
    (Forbidden, 403, "Forbidden"),
    (InvalidCursor, 400, "Bad request"),
    (InvalidSearch, 400, "Bad request"),
    (NotFound, 404, "Not found"),
    (NotRetryable, 409, "Not retryable"),
    (TemplateRequired, 422, "Template required outside the customer-service window"),
    (MessagingLimitReached, 429, "Messaging limit reached"),
    (InvalidIdentifier, 422, "Invalid identifier"),
    (DomainError, 422, "Refused by WhatsApp's rules"),
]


class ProblemView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What every refusal's body looks like; `errors` lists the invalid parameters of a 400."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The refusals a route may answer, documented in the OpenAPI schema as problem+json."""
    return {
        status: ResponseSpec(
            data_container=ProblemView,
            media_type=PROBLEM_JSON,
            description=HTTPStatus(status).phrase,
            generate_examples=False,
        )
        for status in statuses
    }


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response[bytes]:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_problem(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    for error_type, status, title in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return problem(status, title, str(error))
    raise error


def cloud_api_problem(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    """Meta refused or could not be reached: 502 with Meta's own code, so integrators can act on it."""
    assert isinstance(error, CloudApiError)
    return problem(
        502,
        "The Cloud API refused the request",
        str(error),
        meta_code=error.code,
        meta_details=error.details,
        fbtrace_id=error.fbtrace_id,
        retryable=error.retryable,
    )


def http_problem(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    """Litestar's own refusals, each saying what was wrong with the request (and 405 naming the methods)."""
    assert isinstance(error, HTTPException)
    if isinstance(error, RequestEntityTooLarge):
        limit = request.route_handler.resolve_request_max_body_size()
        return problem(413, "Body too large", f"this route accepts bodies of at most {limit:,} bytes")
    if isinstance(error.__cause__, SerializationException):
        return problem(400, "Malformed JSON", f"the body is not valid JSON: {error.detail}")
    if isinstance(error, ValidationException) and error.extra:
        errors = error.extra if isinstance(error.extra, list) else [error.extra]
        generic = str(error.detail).startswith("Validation failed for ")  # Litestar's, which says nothing
        return problem(400, "Bad request", _invalid(request, errors) if generic else error.detail, errors=errors)
    title = HTTPStatus(error.status_code).phrase
    return problem(error.status_code, title, str(error.detail), headers=dict(error.headers or {}))


def _invalid(request: Request[Any, Any, Any], errors: list[Any]) -> str:
    """The first invalid parameter in a sentence; `errors` lists them all."""
    first = errors[0] if isinstance(errors[0], dict) else {}
    key, source, message = first.get("key"), first.get("source"), first.get("message")
    source = getattr(source, "value", source)
    if source == "body" and key == "data" and not request.headers.get("content-length", "0").strip("0"):
        return "this route needs a JSON body and the request had none"
    if key is None:
        return str(message or "the request is not valid")
    return f"{source} parameter {key!r} is not valid: {message}" if source != "body" else f"{key}: {message}"


EXCEPTION_HANDLERS = {
    DomainError: domain_problem,
    Unauthenticated: domain_problem,
    Forbidden: domain_problem,
    CloudApiError: cloud_api_problem,
    HTTPException: http_problem,
}
