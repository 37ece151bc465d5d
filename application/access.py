"""API keys and roles: who may do what through the HTTP API.

Keys are random secrets shown once; only their SHA-256 is stored, so a leaked database does not
leak working keys. A key's role decides each action, in one table.
"""

from __future__ import annotations

import enum
import hashlib
import secrets

from application.ports import ApiKeyStore, Clock
from application.records import ApiKey, Role
from domain.errors import NotFound

SECRET_PREFIX = "wahub_"


class Unauthenticated(Exception):
    """No key, an unknown key or a revoked one."""


class Forbidden(Exception):
    """A valid key whose role does not allow the action."""


class Action(enum.StrEnum):
    SEND_MESSAGES = "send messages"
    READ_MESSAGES = "read messages and conversations"
    MARK_READ = "mark conversations read"
    READ_TEMPLATES = "list templates"
    MANAGE_TEMPLATES = "create, delete and sync templates"
    USE_MEDIA = "upload and download media"
    READ_ANALYTICS = "read analytics"
    FOLLOW_EVENTS = "follow live events"
    READ_SETUP = "read setup checks"
    MANAGE_KEYS = "manage API keys"


_EVERYONE = frozenset(Role)
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.SEND_MESSAGES: _EVERYONE,
    Action.READ_MESSAGES: _EVERYONE,
    Action.MARK_READ: frozenset({Role.ADMIN, Role.AGENT}),
    Action.READ_TEMPLATES: _EVERYONE,
    Action.MANAGE_TEMPLATES: frozenset({Role.ADMIN}),
    Action.USE_MEDIA: _EVERYONE,
    Action.READ_ANALYTICS: frozenset({Role.ADMIN, Role.AGENT}),
    Action.FOLLOW_EVENTS: _EVERYONE,
    Action.READ_SETUP: frozenset({Role.ADMIN}),
    Action.MANAGE_KEYS: frozenset({Role.ADMIN}),
}


def permitted_actions(role: Role) -> list[Action]:
    """What a key with `role` may do, in the table's order, so a dashboard offers only those."""
    return [action for action, roles in PERMISSIONS.items() if role in roles]


def require(key: ApiKey, action: Action) -> None:
    if key.role not in PERMISSIONS[action]:
        allowed = ", ".join(sorted(PERMISSIONS[action]))
        raise Forbidden(f"a key with role {key.role} may not {action}; that needs role {allowed}")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class CreateApiKey:
    def __init__(self, *, api_keys: ApiKeyStore, clock: Clock) -> None:
        self._api_keys = api_keys
        self._clock = clock

    async def __call__(
        self, name: str, role: Role, secret: str | None = None, key_id: str | None = None
    ) -> tuple[ApiKey, str]:
        """Returns the key and its secret; the secret is never stored or shown again."""
        secret = secret or new_secret()
        key = ApiKey(
            id=key_id or f"key_{secrets.token_hex(8)}",
            name=name,
            role=role,
            secret_hash=hash_secret(secret),
            created_at=self._clock.now(),
        )
        await self._api_keys.add(key)
        return key, secret


class UnknownApiKey(NotFound):
    """An API key id that no key has, e.g. a typo in `wahub keys revoke`."""


class ListApiKeys:
    """Every key, revoked ones too, so an operator sees what was cut off and when; secrets are never kept."""

    def __init__(self, *, api_keys: ApiKeyStore) -> None:
        self._api_keys = api_keys

    async def __call__(self) -> list[ApiKey]:
        return await self._api_keys.list()


class RevokeApiKey:
    """Cut a key off for good; a revoked key is refused with the time it was revoked, never deleted."""

    def __init__(self, *, api_keys: ApiKeyStore, clock: Clock) -> None:
        self._api_keys = api_keys
        self._clock = clock

    async def __call__(self, key_id: str) -> ApiKey:
        """The key as revoked; revoking it again changes nothing and keeps the first revocation time."""
        await self._api_keys.revoke(key_id, self._clock.now())
        key = next((key for key in await self._api_keys.list() if key.id == key_id), None)
        if key is None:
            raise UnknownApiKey(f"no API key has the id {key_id!r}; `wahub keys list` shows them")
        return key


class Authenticate:
    def __init__(self, *, api_keys: ApiKeyStore) -> None:
        self._api_keys = api_keys

    async def __call__(self, secret: str | None) -> ApiKey:
        if not secret:
            raise Unauthenticated("an API key is required: send it as 'Authorization: Bearer <key>'")
        key = await self._api_keys.find_by_hash(hash_secret(secret))
        if key is None:
            raise Unauthenticated("this API key is not known")
        if key.revoked_at is not None:
            raise Unauthenticated(f"this API key was revoked at {key.revoked_at.isoformat()}")
        return key


class EnsureAdminKey:
    """The first start creates an admin key (or installs WAHUB_BOOTSTRAP_ADMIN_KEY) so someone can log in."""

    def __init__(self, *, api_keys: ApiKeyStore, create: CreateApiKey) -> None:
        self._api_keys = api_keys
        self._create = create

    async def __call__(self, bootstrap_secret: str | None) -> str | None:
        """Returns a newly created secret to print once, or None when nothing was created."""
        if bootstrap_secret is not None:
            secret_hash = hash_secret(bootstrap_secret)
            if await self._api_keys.find_by_hash(secret_hash) is None:
                # Its id follows from the secret: processes starting together (an API and a worker)
                # write the same key, never two, in every store.
                await self._create("bootstrap admin", Role.ADMIN, bootstrap_secret, key_id=f"key_{secret_hash[:16]}")
            return None
        if any(key.role is Role.ADMIN and key.revoked_at is None for key in await self._api_keys.list()):
            return None
        _, secret = await self._create("first admin", Role.ADMIN)
        return secret
