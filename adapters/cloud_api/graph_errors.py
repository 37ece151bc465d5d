"""Every way a Graph call can fail, turned into the one error the port promises: CloudApiError.

Meta's own error JSON carries the code that decides retrying; a proxy's HTML page or a dropped
connection carries none, so those are classified by HTTP status or as network errors, which a
later attempt may well get through.
"""

from __future__ import annotations

import asyncio
import re

import aiohttp
import msgspec

from adapters.cloud_api.graph_wire import ErrorAnswer, ErrorData, GraphError
from domain.meta_errors import NETWORK_ERROR_CODE, CloudApiError

TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)
"""aiohttp's exception family and its timeouts; none of them may escape the adapter."""


class GraphResponse(msgspec.Struct, frozen=True):
    """What a Graph answer is to the adapter: its status, reason and whole body."""

    status: int
    reason: str
    body: bytes

_CODE_PREFIX = re.compile(r"^\(#\d+\)\s*")
_error_decoder = msgspec.json.Decoder(ErrorAnswer)


def from_answer(response: GraphResponse) -> CloudApiError:
    try:
        error = _error_decoder.decode(response.body).error
    except msgspec.DecodeError:
        return _without_meta_body(response)
    return _from_graph_error(error, response.status)


def from_transport(exc: Exception) -> CloudApiError:
    """No answer at all: timeouts, refused or dropped connections are worth another attempt.

    Only a connection never made proves Meta never saw the request; after it was sent (a read
    timeout, a connection dropped mid-answer) Meta may have acted on it, so its outcome is unknown.
    """
    return CloudApiError(
        NETWORK_ERROR_CODE,
        "No answer from the Graph API",
        details=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
        transient=True,
        outcome_unknown=not isinstance(exc, NOT_SENT),
    )


NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.InvalidURL)
"""Failures before a request left: Meta cannot have seen it."""


def unreadable(response: GraphResponse, expected: str) -> CloudApiError:
    """A success status whose body is not what Meta answers: the request's outcome is unknown."""
    return CloudApiError(
        NETWORK_ERROR_CODE,
        "Unreadable answer from the Graph API",
        details=f"HTTP {response.status} with a body that is not {expected}",
        http_status=response.status,
        transient=True,
        outcome_unknown=True,
    )


def _from_graph_error(error: GraphError, http_status: int) -> CloudApiError:
    return CloudApiError(
        error.code,
        _CODE_PREFIX.sub("", error.message) or "Graph API error",
        details=_details(error),
        subcode=error.error_subcode,
        fbtrace_id=error.fbtrace_id,
        http_status=http_status,
        transient=error.is_transient,
    )


def _details(error: GraphError) -> str | None:
    if isinstance(error.error_data, ErrorData):
        return error.error_data.details or error.error_user_msg
    return error.error_data or error.error_user_msg


def _without_meta_body(response: GraphResponse) -> CloudApiError:
    """A gateway or proxy page: the HTTP status is all there is; 5xx and 429 are worth retrying."""
    status = response.status
    return CloudApiError(
        status,
        response.reason or f"HTTP {status}",
        details=response.body[:200].decode(errors="replace") or None,
        http_status=status,
        transient=status >= 500 or status == 429,
    )
