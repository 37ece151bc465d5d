"""ApiKeyStore contract: keys are found by the hash of their secret, listed, and revoked once."""

from __future__ import annotations

from application.ports import ApiKeyStore
from application.records import ApiKey, Role
from tests.contract.examples import MONDAY, minutes

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
