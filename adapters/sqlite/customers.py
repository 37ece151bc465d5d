"""The customer directory: customers as msgpack, and every handle (phone number, BSUID) pointing at one.

A merge runs in the same write transaction as the directory change: the absorbed customer's
messages, conversations and outbox entries move to the survivor, or nothing does.
"""

from __future__ import annotations

import sqlite3

import msgspec

from adapters.sqlite.conversations import move_conversations
from adapters.sqlite.database import Database
from adapters.sqlite.messages import move_messages
from adapters.sqlite.search_index import move_search_entries
from domain.customers import Customer, Identification, Sighting, identify

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Customer).decode


class SqliteCustomerDirectory:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def identify(self, sighting: Sighting) -> Identification | None:
        def read_identify_write(connection: sqlite3.Connection) -> Identification | None:
            result = identify(_known(connection, sighting.handles()), sighting)
            if result is None:
                return None
            customer = result.customer
            for absorbed in result.absorbed:
                move_search_entries(connection, absorbed, customer.id)
                move_messages(connection, absorbed, customer.id)
                move_conversations(connection, absorbed, customer.id)
                connection.execute("UPDATE outbox SET customer_id = ? WHERE customer_id = ?", (customer.id, absorbed))
                connection.execute("DELETE FROM customers WHERE id = ?", (absorbed,))
            connection.execute("INSERT OR REPLACE INTO customers (id, body) VALUES (?, ?)", (customer.id, _encode(customer)))
            connection.executemany(
                "INSERT OR REPLACE INTO customer_handles (handle, customer_id) VALUES (?, ?)",
                [(handle, customer.id) for handle in {*customer.handles, customer.id}],
            )
            return result

        return await self._database.write(read_identify_write)

    async def find(self, handle: str) -> Customer | None:
        def read(connection: sqlite3.Connection) -> Customer | None:
            found = _known(connection, (handle,))
            return found[0] if found else None

        return await self._database.read(read)


def _known(connection: sqlite3.Connection, handles: tuple[str, ...]) -> list[Customer]:
    if not handles:
        return []
    marks = ", ".join("?" * len(handles))
    rows = connection.execute(
        f"SELECT DISTINCT c.id, c.body FROM customer_handles h JOIN customers c ON c.id = h.customer_id "
        f"WHERE h.handle IN ({marks}) ORDER BY c.id",
        handles,
    ).fetchall()
    return [_decode(body) for _, body in rows]
