"""ConversationSearch contract: what the inbox's search box finds, latest activity first, paged by cursor.

Every adapter finds customers by the start of each word of their name and by their number's digits.
SQLite and the in-memory store also search every message's text; Firestore has no full-text index and
does not (docs/firestore.md), which the tests below state rather than skip.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
import pytest

from application.ports import ConversationSearch
from application.records import ConversationMatch
from domain.content import Text
from domain.conversations import Conversation
from domain.customers import CustomerIdentity
from domain.ids import Bsuid, CustomerId, PhoneNumberId
from domain.search import search_terms
from tests.contract.conftest import Stores
from tests.contract.examples import ALICE, BOB, MONDAY, SHOP_NUMBER, SUPPORT_NUMBER, inbound, minutes, outbound

CAROL = CustomerId("5511987654321")


@pytest.fixture
def full_text(request: pytest.FixtureRequest) -> bool:
    """Whether this adapter searches message text: every one but Firestore's."""
    return bool(request.node.callspec.params["stores"] != "firestore")


async def talked(
    stores: Stores, customer_id: CustomerId, at: datetime, name: str | None = None, number: PhoneNumberId = SHOP_NUMBER
) -> None:
    conversation = Conversation(phone_number_id=number, customer_id=customer_id, last_activity_at=at, customer_name=name)
    await stores.conversations.update(number, customer_id, lambda _: conversation)


async def search(
    stores: Stores, query: str, *, number: PhoneNumberId | None = None, cursor: str | None = None, limit: int = 50
) -> tuple[list[ConversationMatch], str | None]:
    search: ConversationSearch = stores.search
    page = await search.search(search_terms(query), phone_number_id=number, cursor=cursor, limit=limit)
    return page.items, page.next_cursor


def customers(found: list[ConversationMatch]) -> list[str]:
    return [match.conversation.customer_id for match in found]


async def test_a_customer_is_found_by_the_start_of_each_word_of_their_name(stores: Stores) -> None:
    await talked(stores, ALICE, MONDAY, "Zoë Ávila-Nowak")
    await talked(stores, BOB, MONDAY + minutes(1), "Zoltan Avery")

    assert customers((await search(stores, "zoe NOW"))[0]) == [ALICE]
    assert customers((await search(stores, "zo av"))[0]) == [BOB, ALICE]
    assert (await search(stores, "owak"))[0] == []


async def test_a_customer_is_found_by_their_numbers_digits_whatever_the_punctuation(stores: Stores) -> None:
    await talked(stores, ALICE, MONDAY, "Alice")
    await talked(stores, BOB, MONDAY, "Bob")

    found, _ = await search(stores, "+1 (650) 555-12")

    assert customers(found) == [ALICE] and found[0].snippet is None
    assert (await search(stores, "5551234"))[0] == []


async def test_message_text_is_searched_with_the_latest_matching_message_as_the_snippet(
    stores: Stores, full_text: bool
) -> None:
    await talked(stores, ALICE, MONDAY + minutes(5), "Alice")
    await talked(stores, BOB, MONDAY + minutes(6), "Bob")
    await stores.messages.add(outbound(1, MONDAY, content=Text(body="Your order #1042 has shipped")))
    await stores.messages.add(inbound(2, MONDAY + minutes(1), content=Text(body="Has order 1042 shipped yet?")))
    await stores.messages.add(inbound(3, MONDAY + minutes(2), customer_id=BOB, content=Text(body="Where is my parcel?")))

    found, _ = await search(stores, "1042 ship")

    if full_text:
        assert customers(found) == [ALICE] and found[0].snippet == "Has order 1042 shipped yet?"
        assert customers((await search(stores, "parcel"))[0]) == [BOB]
    else:
        assert found == [] and (await search(stores, "parcel"))[0] == []


async def test_a_long_message_is_cut_around_the_match(stores: Stores, full_text: bool) -> None:
    await talked(stores, ALICE, MONDAY, "Alice")
    body = "Hello! " * 20 + "The tracking number is ZX99 and it still says pending. " + "Thanks. " * 10
    await stores.messages.add(inbound(1, MONDAY, content=Text(body=body)))

    found, _ = await search(stores, "zx99")

    if full_text:
        (match,) = found
        assert match.snippet is not None and "ZX99" in match.snippet and match.snippet.startswith("…")
        assert len(match.snippet) <= 82
    else:
        assert found == []


async def test_results_come_latest_activity_first_and_page_by_cursor_without_repeats(stores: Stores) -> None:
    numbers = [CustomerId(f"1650555{n:04d}") for n in range(5)]
    for n, customer_id in enumerate(numbers):
        await talked(stores, customer_id, MONDAY + minutes(n), f"Customer {n}")
    await talked(stores, BOB, MONDAY + minutes(9), "Bob")

    first, cursor = await search(stores, "customer", limit=2)
    second, cursor_2 = await search(stores, "customer", cursor=cursor, limit=2)
    third, end = await search(stores, "customer", cursor=cursor_2, limit=2)

    assert customers(first + second + third) == list(reversed(numbers))
    assert cursor is not None and cursor_2 is not None and end is None


async def test_the_business_number_filter_keeps_only_its_conversations(stores: Stores) -> None:
    await talked(stores, ALICE, MONDAY, "Alice Shop")
    await talked(stores, ALICE, MONDAY + minutes(1), "Alice Support", number=SUPPORT_NUMBER)

    found, _ = await search(stores, "alice", number=SUPPORT_NUMBER)

    assert [(m.conversation.phone_number_id, m.conversation.customer_name) for m in found] == [
        (SUPPORT_NUMBER, "Alice Support")
    ]


async def test_a_renamed_customer_is_found_by_the_new_name_only(stores: Stores) -> None:
    await talked(stores, CAROL, MONDAY, "Carol")
    current = await stores.conversations.get(SHOP_NUMBER, CAROL)
    assert current is not None
    renamed = msgspec.structs.replace(current, customer_name="Karolina")
    await stores.conversations.update(SHOP_NUMBER, CAROL, lambda _: renamed)

    assert customers((await search(stores, "karol"))[0]) == [CAROL]
    assert (await search(stores, "carol"))[0] == []


async def test_a_customer_known_by_bsuid_is_found_by_it_and_by_their_username(stores: Stores) -> None:
    bsuid = CustomerId("US.13491208655302741918")
    identity = CustomerIdentity(user_id=Bsuid(bsuid), username="sheena_b")
    known = Conversation(phone_number_id=SHOP_NUMBER, customer_id=bsuid, identity=identity, last_activity_at=MONDAY)
    await stores.conversations.update(SHOP_NUMBER, bsuid, lambda _: known)
    await talked(stores, ALICE, MONDAY + minutes(1), "Sheena")

    assert customers((await search(stores, "US.134912"))[0]) == [bsuid]
    assert customers((await search(stores, "sheena_b"))[0]) == [bsuid]
    assert customers((await search(stores, "sheena"))[0]) == [ALICE, bsuid]
