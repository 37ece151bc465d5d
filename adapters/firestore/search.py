"""Search over Firestore: by the start of the customer's name words and number, never by message text.

Firestore has no full-text index. Each conversation document carries `search_prefixes`, every prefix
of every word of its customer's name and handles (domain.search.customer_text), so one
`array_contains` query ordered by last activity finds the customers whose words start with the
query's longest term; the other terms are checked on the documents read. docs/firestore.md says so.
"""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.conversations import LONGEST_PREFIX, SEARCH_PREFIXES, position
from adapters.firestore.documents import PAYLOAD, from_payload
from application.paging import decode_cursor, encode_cursor
from application.records import ConversationMatch, Page
from domain.conversations import Conversation
from domain.ids import PhoneNumberId
from domain.search import customer_text, matches


class FirestoreConversationSearch:
    def __init__(self, client: Any) -> None:
        self._conversations = client.collection("conversations")

    async def search(
        self, terms: tuple[str, ...], *, phone_number_id: PhoneNumberId | None, cursor: str | None, limit: int
    ) -> Page[ConversationMatch]:
        """Reads pages of candidates until `limit` matches (or the end): only the longest term is indexed."""
        wanted = max(limit, 0)
        query = self._conversations.where(
            filter=FieldFilter(SEARCH_PREFIXES, "array_contains", max(terms, key=len)[:LONGEST_PREFIX])
        )
        if phone_number_id is not None:
            query = query.where(filter=FieldFilter("phone_number_id", "==", phone_number_id))
        query = query.order_by("last_activity_at", direction=firestore.Query.DESCENDING).order_by(
            "position", direction=firestore.Query.DESCENDING
        )
        found: list[Conversation] = []
        after = None if cursor is None else decode_cursor(cursor)
        while len(found) <= wanted:
            batch = query if after is None else query.start_after({"last_activity_at": after[0], "position": after[1]})
            page_query = batch.select([PAYLOAD]).limit(wanted + 1)
            candidates = [from_payload(s.to_dict(), Conversation) async for s in page_query.stream()]
            found.extend(c for c in candidates if matches(terms, customer_text(c)))
            if len(candidates) <= wanted:
                break
            after = (candidates[-1].last_activity_at, position(candidates[-1]))
        page = found[:wanted]
        more = len(found) > wanted and bool(page)
        next_cursor = encode_cursor(page[-1].last_activity_at, position(page[-1])) if more else None
        return Page(items=[ConversationMatch(conversation=c) for c in page], next_cursor=next_cursor)
