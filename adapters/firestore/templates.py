"""Message templates: one document per (name, language), as Meta identifies them."""

from __future__ import annotations

from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from adapters.firestore.documents import PAYLOAD, document_key, from_payload, to_payload
from domain.templates import MessageTemplate


class FirestoreTemplateStore:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._templates = client.collection("templates")

    async def save(self, template: MessageTemplate) -> None:
        await self._reference(template.name, template.language).set(template_fields(template))

    async def get(self, name: str, language: str) -> MessageTemplate | None:
        snapshot = await self._reference(name, language).get()
        return from_payload(snapshot.to_dict(), MessageTemplate) if snapshot.exists else None

    async def find_by_id(self, template_id: str) -> MessageTemplate | None:
        query = self._templates.where(filter=FieldFilter("id", "==", template_id)).limit(1)
        found = [from_payload(s.to_dict(), MessageTemplate) async for s in query.stream()]
        return found[0] if found else None

    async def list(self) -> list[MessageTemplate]:
        """A WABA holds at most a few hundred templates, so sorting them here needs no composite index."""
        found = [from_payload(s.to_dict(), MessageTemplate) async for s in self._templates.stream()]
        return sorted(found, key=lambda t: (t.name, t.language))

    async def delete(self, name: str, language: str | None) -> int:
        query = self._templates.where(filter=FieldFilter("name", "==", name))
        doomed = [s.reference async for s in query.stream() if language in (None, s.get("language"))]
        if doomed:
            batch = self._client.batch()
            for reference in doomed:
                batch.delete(reference)
            await batch.commit()
        return len(doomed)

    def _reference(self, name: str, language: str) -> Any:
        return self._templates.document(document_key(name, language))


def template_fields(template: MessageTemplate) -> dict[str, Any]:
    fields = {PAYLOAD: to_payload(template), "name": template.name, "language": template.language}
    if template.id is not None:
        fields["id"] = template.id
    return fields
