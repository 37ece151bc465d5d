"""How phone numbers and BSUIDs identify one customer, whatever order Meta's webhooks arrive in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.customers import Customer, CustomerIdentity, Sighting, identify
from domain.ids import Bsuid, CustomerId, WaId

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PHONE = WaId("16505551234")
NEW_PHONE = WaId("16505559876")
BSUID = Bsuid("US.13491208655302741918")
NEW_BSUID = Bsuid("US.99991208655302741918")


def seen(at: int = 0, former: tuple[str, ...] = (), **identity: str) -> Sighting:
    return Sighting(identity=CustomerIdentity(**identity), former=former, at=T0 + timedelta(minutes=at))  # type: ignore[arg-type]


class Directory:
    """The store's side of identify, kept as plainly as the stores do it: handles to ids, ids to customers."""

    def __init__(self) -> None:
        self.customers: dict[CustomerId, Customer] = {}

    def apply(self, sighting: Sighting) -> Customer | None:
        handles = set(sighting.handles())
        known = [c for c in self.customers.values() if handles & set(c.handles)]
        result = identify(known, sighting)
        if result is None:
            return None
        for absorbed in result.absorbed:
            del self.customers[absorbed]
        self.customers[result.customer.id] = result.customer
        return result.customer


def test_a_customer_first_known_by_number_keeps_the_number_as_id_when_a_bsuid_appears() -> None:
    directory = Directory()
    first = directory.apply(seen(wa_id=PHONE))
    later = directory.apply(seen(1, wa_id=PHONE, user_id=BSUID, username="sheena"))
    hidden = directory.apply(seen(2, user_id=BSUID))

    assert first is not None and later is not None and hidden is not None
    assert first.id == later.id == hidden.id == PHONE
    assert hidden.identity == CustomerIdentity(wa_id=PHONE, user_id=BSUID, username="sheena")


def test_a_bsuid_only_customer_is_named_by_the_bsuid_and_keeps_it_when_the_number_appears() -> None:
    directory = Directory()
    first = directory.apply(seen(user_id=BSUID))
    later = directory.apply(seen(1, wa_id=PHONE, user_id=BSUID))

    assert first is not None and later is not None and first.id == later.id == BSUID
    assert later.identity.wa_id == PHONE


def test_two_customers_seen_apart_merge_into_the_one_seen_first_when_a_sighting_links_them() -> None:
    directory = Directory()
    directory.apply(seen(5, user_id=BSUID))
    directory.apply(seen(1, wa_id=PHONE))
    linked = directory.apply(seen(9, wa_id=PHONE, user_id=BSUID))

    assert linked is not None and linked.id == PHONE and list(directory.customers) == [PHONE]
    assert set(linked.handles) == {PHONE, BSUID}


def test_a_changed_number_continues_the_customer_and_the_old_number_still_finds_them() -> None:
    directory = Directory()
    directory.apply(seen(wa_id=PHONE, user_id=BSUID))
    changed = directory.apply(seen(1, former=(PHONE, BSUID), wa_id=NEW_PHONE, user_id=NEW_BSUID))

    assert changed is not None and changed.id == PHONE
    assert changed.identity.wa_id == NEW_PHONE and changed.identity.user_id == NEW_BSUID
    assert {PHONE, NEW_PHONE, BSUID, NEW_BSUID} <= set(changed.handles)


def test_a_changed_bsuid_without_a_number_replaces_the_bsuid_and_keeps_the_number() -> None:
    directory = Directory()
    directory.apply(seen(wa_id=PHONE, user_id=BSUID))
    changed = directory.apply(seen(1, former=(BSUID,), user_id=NEW_BSUID))

    assert changed is not None and changed.identity == CustomerIdentity(wa_id=PHONE, user_id=NEW_BSUID)


def test_a_sighting_without_any_handle_names_nobody() -> None:
    assert identify([], seen(username="sheena")) is None


ONE_PERSON = [
    seen(0, wa_id=PHONE),
    seen(1, user_id=BSUID),
    seen(2, wa_id=PHONE, user_id=BSUID),
    seen(3, user_id=BSUID, username="sheena"),
    seen(4, former=(PHONE, BSUID), wa_id=NEW_PHONE, user_id=NEW_BSUID),
    seen(5, wa_id=NEW_PHONE),
    seen(6, user_id=NEW_BSUID),
    seen(7, wa_id=NEW_PHONE, user_id=NEW_BSUID),
]


@settings(max_examples=150, deadline=None)
@given(st.permutations(ONE_PERSON), st.lists(st.sampled_from(ONE_PERSON), max_size=4))
def test_any_order_of_one_persons_sightings_ends_in_one_customer_knowing_every_handle(
    order: list[Sighting], repeats: list[Sighting]
) -> None:
    directory = Directory()
    for sighting in [*order, *repeats]:
        directory.apply(sighting)

    [customer] = directory.customers.values()
    assert set(customer.handles) == {PHONE, BSUID, NEW_PHONE, NEW_BSUID}
    assert customer.first_seen_at == T0
