"""The customer directory on every store: one person, whatever handles they were seen by, is one customer."""

from __future__ import annotations

import msgspec

from domain.conversations import Conversation, CustomerServiceWindow
from domain.customers import CustomerIdentity, Sighting
from domain.ids import Bsuid, CustomerId, WaId
from tests.contract.conftest import Stores
from tests.contract.examples import MONDAY, SHOP_NUMBER, inbound, minutes, wamid

PHONE = WaId("16505551234")
BSUID = Bsuid("US.13491208655302741918")


def seen(after: int, **identity: str) -> Sighting:
    return Sighting(identity=CustomerIdentity(**identity), at=MONDAY + minutes(after))  # type: ignore[arg-type]


async def test_a_new_customer_is_found_by_each_of_its_handles(stores: Stores) -> None:
    created = await stores.customers.identify(seen(0, user_id=BSUID, username="sheena"))
    linked = await stores.customers.identify(seen(1, wa_id=PHONE, user_id=BSUID))

    assert created is not None and linked is not None and created.customer.id == linked.customer.id == BSUID
    assert created.absorbed == linked.absorbed == ()
    by_phone, by_bsuid = await stores.customers.find(PHONE), await stores.customers.find(BSUID)
    assert by_phone == by_bsuid == linked.customer
    assert linked.customer.identity == CustomerIdentity(wa_id=PHONE, user_id=BSUID, username="sheena")
    assert await stores.customers.find("16505550000") is None


async def test_customers_found_to_be_one_person_merge_their_threads_into_the_one_seen_first(stores: Stores) -> None:
    await stores.customers.identify(seen(0, wa_id=PHONE))
    await stores.customers.identify(seen(5, user_id=BSUID))
    await _thread(stores, CustomerId(PHONE), 1, unread=1)
    await _thread(stores, CustomerId(BSUID), 2, unread=2)

    identified = await stores.customers.identify(seen(9, wa_id=PHONE, user_id=BSUID))

    assert identified is not None and identified.absorbed == (BSUID,)
    merged = identified.customer
    assert merged.id == PHONE
    assert await stores.conversations.get(SHOP_NUMBER, CustomerId(BSUID)) is None
    conversation = await stores.conversations.get(SHOP_NUMBER, CustomerId(PHONE))
    assert conversation is not None and conversation.unread_count == 3
    assert conversation.last_activity_at == MONDAY + minutes(2)
    history = await stores.messages.history(SHOP_NUMBER, CustomerId(PHONE), cursor=None, limit=10)
    assert [m.wamid for m in history.items] == [wamid(2), wamid(1)]
    listed = await stores.conversations.list(phone_number_id=None, cursor=None, limit=10)
    assert [c.customer_id for c in listed.items] == [PHONE]
    assert (await stores.customers.find(BSUID)) == merged
    found = await stores.search.search((PHONE,), phone_number_id=None, cursor=None, limit=10)
    assert [match.conversation.customer_id for match in found.items] == [PHONE]


async def _thread(stores: Stores, customer_id: CustomerId, n: int, unread: int) -> None:
    at = MONDAY + minutes(n)
    await stores.messages.add(inbound(n, at=at, wamid=wamid(n), customer_id=customer_id))
    conversation = Conversation(
        phone_number_id=SHOP_NUMBER,
        customer_id=customer_id,
        last_activity_at=at,
        window=CustomerServiceWindow(last_inbound_at=at),
        unread_count=unread,
        last_inbound_wamid=wamid(n),
    )
    await stores.conversations.update(SHOP_NUMBER, customer_id, lambda _: msgspec.structs.replace(conversation))
