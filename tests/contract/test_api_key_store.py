"""ApiKeyStore contract: keys are found by the hash of their secret, listed, and revoked once."""

from __future__ import annotations

import asyncio

from adapters.clock import SystemClock
from application.access import CreateApiKey, EnsureAdminKey, hash_secret
from application.ports import ApiKeyStore
from application.records import ApiKey, Role
from tests.contract.examples import MONDAY, minutes

BOOTSTRAP_SECRET = "wahub_bootstrap_for_two_processes_0123456789"
AGENT_KEY = ApiKey(id="key_agent", name="Front desk", role=Role.AGENT, secret_hash="sha256:aa11", created_at=MONDAY)
ADMIN_KEY = ApiKey(
    id="key_admin", name="Ops", role=Role.ADMIN, secret_hash="sha256:bb22", created_at=MONDAY + minutes(1)
)


async def test_a_key_is_found_by_the_hash_of_its_secret(api_key_store: ApiKeyStore) -> None:
    await api_key_store.add(AGENT_KEY)

    assert await api_key_store.find_by_hash("sha256:aa11") == AGENT_KEY
    assert await api_key_store.find_by_hash("sha256:ffff") is None


async def test_every_key_is_listed(api_key_store: ApiKeyStore) -> None:
    await api_key_store.add(ADMIN_KEY)
    await api_key_store.add(AGENT_KEY)

    assert sorted(k.id for k in await api_key_store.list()) == ["key_admin", "key_agent"]


async def test_a_revoked_key_carries_its_revocation_time(api_key_store: ApiKeyStore) -> None:
    await api_key_store.add(AGENT_KEY)

    assert await api_key_store.revoke("key_agent", at=MONDAY + minutes(5)) is True

    found = await api_key_store.find_by_hash("sha256:aa11")
    assert found is not None and found.revoked_at == MONDAY + minutes(5)


async def test_revoking_again_keeps_the_first_time(api_key_store: ApiKeyStore) -> None:
    await api_key_store.add(AGENT_KEY)
    await api_key_store.revoke("key_agent", at=MONDAY + minutes(5))

    assert await api_key_store.revoke("key_agent", at=MONDAY + minutes(9)) is False

    [listed] = await api_key_store.list()
    assert listed.revoked_at == MONDAY + minutes(5)


async def test_revoking_an_unknown_key_reports_false(api_key_store: ApiKeyStore) -> None:
    assert await api_key_store.revoke("key_nobody", at=MONDAY) is False


async def test_two_processes_starting_at_once_install_the_bootstrap_admin_key_once(api_key_store: ApiKeyStore) -> None:
    """An API process and a worker process start together with the same WAHUB_BOOTSTRAP_ADMIN_KEY."""
    create = CreateApiKey(api_keys=api_key_store, clock=SystemClock())
    starts = [EnsureAdminKey(api_keys=api_key_store, create=create) for _ in range(2)]

    printed = await asyncio.gather(*(start(BOOTSTRAP_SECRET) for start in starts))
    again = await starts[0](BOOTSTRAP_SECRET)

    [installed] = await api_key_store.list()
    assert printed == [None, None] and again is None
    assert (installed.name, installed.role, installed.revoked_at) == ("bootstrap admin", Role.ADMIN, None)
    assert await api_key_store.find_by_hash(hash_secret(BOOTSTRAP_SECRET)) == installed
