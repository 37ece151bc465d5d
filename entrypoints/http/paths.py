"""Path parameters with the patterns of the ids they carry, documented in OpenAPI.

The patterns are the domain's, stated once in `domain/`; a value that does not match is refused by the
domain's parser in the handler (422 "Invalid identifier", saying what the id should look like), which
says more than a regular expression would.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

from domain.ids import CUSTOMER_ID_PATTERN, GRAPH_ID_PATTERN, MESSAGE_ID_PATTERN
from domain.templates import TEMPLATE_NAME_PATTERN


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
