"""Conversations: the inbox agents work through (latest activity first) and each customer's thread.

Paging is by cursor, never by offset: new messages arrive while an agent scrolls, and an offset
would show some twice and skip others.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from application.access import Action
from domain.ids import PhoneNumberId, parse_customer_id, parse_phone_number_id
from entrypoints.http.auth import requires
from entrypoints.http.paths import CustomerIdPath
from entrypoints.http.problems import problem_responses
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import ConversationView, PageView, conversation_view, message_view

MAX_LIMIT = 100
MAX_SEARCH_LENGTH = 200

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}")]
Cursor = Annotated[str | None, QueryParameter(description="The next_cursor of the previous page, unchanged")]
NumberFilter = Annotated[str | None, QueryParameter(description="A business phone number id (digits)")]
SearchText = Annotated[
    str | None,
    QueryParameter(
        min_length=1,
        max_length=MAX_SEARCH_LENGTH,
        description=(
            "Search: conversations whose customer name, phone number, username or BSUID, or any message text, "
            "has words starting with each word of q (digits and phone punctuation alone search the number). "
            "On Firestore only names and numbers are searched, by prefix."
        ),
    ),
]


class ReadRequest(msgspec.Struct, frozen=True, kw_only=True):
    typing: bool = False


class ConversationsController(Controller):
    path = "/v1/conversations"
    tags = ["conversations"]

    @get("/", guards=[requires(Action.READ_MESSAGES)], responses=problem_responses(400, 401, 403))
    async def list_conversations(
        self,
        request: Request[Any, Any, Any],
        phone_number_id: NumberFilter = None,
        q: SearchText = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> PageView:
        """Latest activity first; with `q`, only the conversations that match, each with `match` when a message did."""
        runtime: Runtime = request.app.state.runtime
        number = None if phone_number_id is None else parse_phone_number_id(phone_number_id)
        now = runtime.clock.now()
        if q is None:
            page = await runtime.use_cases.list_conversations(number, cursor, limit)
            return PageView(data=[conversation_view(c, now) for c in page.items], next_cursor=page.next_cursor)
        found = await runtime.use_cases.search_conversations(q, number, cursor, limit)
        views = [conversation_view(m.conversation, now, m.snippet) for m in found.items]
        return PageView(data=views, next_cursor=found.next_cursor)

    @get("/{customer_id:str}/messages", guards=[requires(Action.READ_MESSAGES)])
    async def history(
        self,
        request: Request[Any, Any, Any],
        customer_id: CustomerIdPath,
        phone_number_id: NumberFilter = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> PageView:
        """Newest first, so the first page is what an agent opening the thread needs."""
        runtime: Runtime = request.app.state.runtime
        number = _number_or_default(runtime, phone_number_id)
        page = await runtime.use_cases.conversation_history(number, parse_customer_id(customer_id), cursor, limit)
        return PageView(data=[message_view(m) for m in page.items], next_cursor=page.next_cursor)

    @post("/{customer_id:str}/read", status_code=200, guards=[requires(Action.MARK_READ)])
    async def mark_read(
        self,
        request: Request[Any, Any, Any],
        customer_id: CustomerIdPath,
        data: JSONBody[ReadRequest | None] = None,
        phone_number_id: NumberFilter = None,
    ) -> ConversationView:
        """Blue ticks for the customer (and "typing…" when asked), and the unread count back to zero."""
        runtime: Runtime = request.app.state.runtime
        number = _number_or_default(runtime, phone_number_id)
        typing = data.typing if data is not None else False
        conversation = await runtime.use_cases.mark_as_read(number, parse_customer_id(customer_id), typing=typing)
        return conversation_view(conversation, runtime.clock.now())


def _number_or_default(runtime: Runtime, raw: str | None) -> PhoneNumberId:
    return parse_phone_number_id(raw if raw is not None else runtime.account.phone_number_id)
