"""The simulator's WhatsApp users as Meta sees them in 2026: a phone number, a BSUID, maybe a username.

Meta names each user to a business by a business-scoped user id (BSUID) and withholds the phone
number of a user with a username who has not shared it. The simulator gives every customer a BSUID
the first time they appear, lets a test hide their number or give them a username, and plays the
number and BSUID changes (a changed number brings a new BSUID, as at Meta).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass
class SimulatedCustomer:
    """`key` is the number first seen, which stays the customer's name in the simulator's own books."""

    wa_id: str
    user_id: str
    username: str | None = None
    hide_number: bool = False
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or self.wa_id

    def view(self) -> dict[str, object]:
        return {"wa_id": self.wa_id, "user_id": self.user_id, "username": self.username, "hide_number": self.hide_number}

    def webhook_contact(self, name: str | None = None, *, with_username: bool = True) -> dict[str, object]:
        """The `contacts[]` card Meta sends beside a message or a status."""
        profile: dict[str, str] = {}
        if name is not None:
            profile["name"] = name
        if with_username and self.username:
            profile["username"] = self.username
        card: dict[str, object] = {"user_id": self.user_id}
        if profile:
            card["profile"] = profile
        if not self.hide_number:
            card["wa_id"] = self.wa_id
        return card

    def sender(self) -> dict[str, str]:
        """The sender keys of an inbound message: `from` only when the number may be shared."""
        keys = {"from_user_id": self.user_id}
        if not self.hide_number:
            keys["from"] = self.wa_id
        return keys


def bsuid_for(wa_id: str, generation: int = 0) -> str:
    """A stable BSUID per number (and per change), in Meta's form: country code, a dot, digits."""
    digest = hashlib.sha256(f"{wa_id}/{generation}".encode()).hexdigest()
    return f"{_country(wa_id)}.{int(digest[:16], 16)}"


def _country(wa_id: str) -> str:
    for prefix, country in (("1", "US"), ("44", "GB"), ("49", "DE"), ("46", "SE"), ("55", "BR"), ("91", "IN")):
        if wa_id.startswith(prefix):
            return country
    return "US"


class CustomerBook:
    """Every customer by phone number and by BSUID (current and former), like Meta's contact book."""

    def __init__(self) -> None:
        self._by_handle: dict[str, SimulatedCustomer] = {}
        self._generations: dict[str, int] = {}

    def get(self, handle: str) -> SimulatedCustomer:
        """The customer a phone number or BSUID names; a number never seen becomes a customer with a new BSUID."""
        found = self._by_handle.get(handle)
        if found is None:
            found = SimulatedCustomer(wa_id=handle, user_id=bsuid_for(handle))
            self._keep(found)
        return found

    def find(self, handle: str) -> SimulatedCustomer | None:
        return self._by_handle.get(handle)

    def configure(self, handle: str, *, username: str | None, hide_number: bool | None) -> SimulatedCustomer:
        customer = self.get(handle)
        if username is not None:
            customer.username = username or None
        if hide_number is not None:
            customer.hide_number = hide_number
        return customer

    def change_number(self, handle: str, new_wa_id: str) -> tuple[SimulatedCustomer, dict[str, str]]:
        """The user moved to a new number, which brings a new BSUID; returns the old sender keys."""
        customer = self.get(handle)
        old = {"from": customer.wa_id, "from_user_id": customer.user_id}
        customer.wa_id = new_wa_id
        customer.user_id = self._next_bsuid(new_wa_id)
        self._keep(customer)
        return customer, old

    def change_user_id(self, handle: str) -> tuple[SimulatedCustomer, dict[str, str]]:
        customer = self.get(handle)
        old = {"from_user_id": customer.user_id}
        if not customer.hide_number:
            old["from"] = customer.wa_id
        customer.user_id = self._next_bsuid(customer.wa_id)
        self._keep(customer)
        return customer, old

    def _next_bsuid(self, wa_id: str) -> str:
        self._generations[wa_id] = self._generations.get(wa_id, 0) + 1
        return bsuid_for(wa_id, self._generations[wa_id])

    def _keep(self, customer: SimulatedCustomer) -> None:
        self._by_handle[customer.wa_id] = customer
        self._by_handle[customer.user_id] = customer
