"""Path parameters with the patterns of the ids they carry, documented in OpenAPI and enforced at routing.

The patterns are the domain's, stated once in `domain/`. `check_path_ids` runs before every handler
(the app's `before_request`): a value that does not match is refused by the domain's parser (422
"Invalid identifier", saying what the id should look like, which says more than a regular expression
would), whatever the handler then does with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request
from litestar.params import PathParameter

from domain.ids import (
    CUSTOMER_ID_PATTERN,
    GRAPH_ID_PATTERN,
    MESSAGE_ID_PATTERN,
    parse_customer_id,
    parse_media_id,
    parse_message_id,
)
from domain.templates import TEMPLATE_NAME_PATTERN, check_template_name


def _documented(pattern: str) -> dict[str, str]:
    return {"pattern": f"^(?:{pattern})$"}


MessageIdPath = Annotated[
    str,
    PathParameter(description="wahub's message id, e.g. msg_0f1e2d3c...", schema_extra=_documented(MESSAGE_ID_PATTERN)),
]
MediaIdPath = Annotated[
    str, PathParameter(description="Meta's media id: digits", schema_extra=_documented(GRAPH_ID_PATTERN))
]
CustomerIdPath = Annotated[
    str,
    PathParameter(
        description="the customer's WhatsApp number in E.164 form (+16505551234) or business-scoped user id "
        "(US.13491208655302741918)",
        schema_extra=_documented(CUSTOMER_ID_PATTERN),
    ),
]
TemplateNamePath = Annotated[
    str,
    PathParameter(description="lowercase letters, digits, underscores", schema_extra=_documented(TEMPLATE_NAME_PATTERN)),
]

PARSERS: dict[str, Callable[[str], object]] = {
    "message_id": parse_message_id,
    "media_id": parse_media_id,
    "customer_id": parse_customer_id,
    "name": check_template_name,
}
"""Each path parameter above, by the name routes give it, with the domain's parser of what it carries."""


async def check_path_ids(request: Request[Any, Any, Any]) -> None:
    """Refuse a malformed id before any handler runs (InvalidIdentifier: 422, problem+json)."""
    for name, value in request.path_params.items():
        parse = PARSERS.get(name)
        if parse is not None:
            parse(value)
