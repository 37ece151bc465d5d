"""Message templates kept in a dict keyed by (name, language), as Meta identifies them."""

from __future__ import annotations

import msgspec

from adapters.memory.rollback import Restore, saved
from domain.templates import MessageTemplate


class InMemoryTemplateStore:
    def __init__(self) -> None:
        self._templates: dict[tuple[str, str], MessageTemplate] = {}

    async def save(self, template: MessageTemplate) -> None:
        self._templates[(template.name, template.language)] = msgspec.structs.replace(template)

    def snapshot(self) -> Restore:
        """For the post writer's all-or-nothing: what to call to undo every change made after this."""
        return saved(self._templates)

    async def get(self, name: str, language: str) -> MessageTemplate | None:
        found = self._templates.get((name, language))
        return None if found is None else msgspec.structs.replace(found)

    async def find_by_id(self, template_id: str) -> MessageTemplate | None:
        found = next((t for t in self._templates.values() if t.id == template_id), None)
        return None if found is None else msgspec.structs.replace(found)

    async def list(self) -> list[MessageTemplate]:
        """Sorted by name then language, so listings are stable."""
        return [msgspec.structs.replace(t) for _, t in sorted(self._templates.items())]

    async def delete(self, name: str, language: str | None) -> int:
        doomed = [key for key in self._templates if key[0] == name and language in (None, key[1])]
        for key in doomed:
            del self._templates[key]
        return len(doomed)
