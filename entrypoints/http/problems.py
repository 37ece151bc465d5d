"""Every refusal as application/problem+json (RFC 9457), mapped from its error type in one table."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec

from application.access import Forbidden, Unauthenticated
from domain.errors import (
    DomainError,
    InvalidCursor,
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


def problem(status: int, title: str, detail: str, **extra: Any) -> Response[bytes]:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON)


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


def http_problem(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    assert isinstance(error, HTTPException)
    extra: dict[str, Any] = {}
    if isinstance(error, ValidationException) and error.extra:
        extra["errors"] = error.extra
    return problem(error.status_code, HTTPStatus(error.status_code).phrase, str(error.detail), **extra)


EXCEPTION_HANDLERS = {
    DomainError: domain_problem,
    Unauthenticated: domain_problem,
    Forbidden: domain_problem,
    CloudApiError: cloud_api_problem,
    HTTPException: http_problem,
}
