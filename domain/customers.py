"""Who a customer is: a phone number, a business-scoped user id (BSUID), or both, under one id.

Since April 2026 Meta names WhatsApp users by BSUID (`user_id`) and, for users with a username,
may withhold their phone number. One person can thus appear by phone number only (data from
before), by BSUID only, or by both, and may change either (`user_changed_number`,
`user_changed_user_id`). A customer keeps every handle they were ever seen by, so any of them
finds the same conversation; when one sighting shows that two known customers are one person,
they merge and the older id survives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from domain.ids import Bsuid, CustomerId, WaId, is_bsuid


class CustomerIdentity(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What is known of a customer now; the username is for display only (users change it)."""

    wa_id: WaId | None = None
    user_id: Bsuid | None = None
    parent_user_id: Bsuid | None = None
    username: str | None = None

    def merged_with(self, newer: CustomerIdentity) -> CustomerIdentity:
        """What `newer` says wins; what it does not say is kept (a withheld number is not a changed one)."""
        return CustomerIdentity(
            wa_id=newer.wa_id or self.wa_id,
            user_id=newer.user_id or self.user_id,
            parent_user_id=newer.parent_user_id or self.parent_user_id,
            username=newer.username or self.username,
        )


class Sighting(msgspec.Struct, frozen=True, kw_only=True):
    """One webhook's word on a customer: who it names now, and the handles they were known by before.

    `former` holds the old number of a `user_changed_number` or the old BSUID of a
    `user_changed_user_id`: the same person, no longer reachable that way.
    """

    identity: CustomerIdentity
    former: tuple[str, ...] = ()
    at: datetime

    def handles(self) -> tuple[str, ...]:
        current = (self.identity.wa_id, self.identity.user_id)
        return tuple(h for h in (*current, *self.former) if h)


class Customer(msgspec.Struct, frozen=True, kw_only=True):
    """A customer in wahub's directory: `handles` are every phone number and BSUID they were seen by."""

    id: CustomerId
    identity: CustomerIdentity
    handles: tuple[str, ...]
    first_seen_at: datetime


class Identification(msgspec.Struct, frozen=True, kw_only=True):
    """The customer a sighting names, and the ids of customers found to be the same person (to merge in)."""

    customer: Customer
    absorbed: tuple[CustomerId, ...] = ()


def identity_of(customer_id: CustomerId) -> CustomerIdentity:
    """What a customer id alone tells: it is either their phone number or their BSUID."""
    if is_bsuid(customer_id):
        return CustomerIdentity(user_id=Bsuid(customer_id))
    return CustomerIdentity(wa_id=WaId(customer_id))


def customer_id_for(identity: CustomerIdentity) -> CustomerId | None:
    """A new customer's id: the phone number when known (as every id before BSUIDs), else the BSUID."""
    handle = identity.wa_id or identity.user_id
    return None if handle is None else CustomerId(handle)


def identify(known: Sequence[Customer], sighting: Sighting) -> Identification | None:
    """The customer `sighting` names, given the customers found by any of its handles.

    None when it names nobody (no phone number, no BSUID). Several known customers are one person
    seen apart until now: the one seen first survives (its id is what clients hold), ties going to
    the smaller id so every order of the same events picks the same survivor.
    """
    handles = sighting.handles()
    if not known:
        new_id = customer_id_for(sighting.identity) or (CustomerId(handles[0]) if handles else None)
        if new_id is None:
            return None
        return Identification(
            customer=Customer(id=new_id, identity=sighting.identity, handles=_unique(handles), first_seen_at=sighting.at)
        )
    ordered = sorted(known, key=lambda c: (c.first_seen_at, c.id))
    survivor, others = ordered[0], ordered[1:]
    identity = survivor.identity
    for other in others:
        identity = other.identity.merged_with(identity)
    identity = _without_former(identity, sighting.former).merged_with(sighting.identity)
    all_handles = [h for c in ordered for h in c.handles] + list(handles)
    customer = Customer(
        id=survivor.id,
        identity=identity,
        handles=_unique(all_handles),
        first_seen_at=min(survivor.first_seen_at, sighting.at),
    )
    return Identification(customer=customer, absorbed=tuple(c.id for c in others))


def _without_former(identity: CustomerIdentity, former: tuple[str, ...]) -> CustomerIdentity:
    """An old number or BSUID is no longer the customer's current one, even if nothing newer is known."""
    return CustomerIdentity(
        wa_id=None if identity.wa_id in former else identity.wa_id,
        user_id=None if identity.user_id in former else identity.user_id,
        parent_user_id=identity.parent_user_id,
        username=identity.username,
    )


def _unique(handles: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(set(handles)))
