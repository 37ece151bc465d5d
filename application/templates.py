"""Template use cases: create, delete and sync with Meta, keeping the local copy authoritative for checks.

SendMessage checks parameters against the local copy, so it must follow Meta closely: status
webhooks update it as they arrive and a sync mirrors Meta's list on demand.
"""

from __future__ import annotations

from collections.abc import Callable

from application.live import template_event
from application.ports import CloudApi, LiveEvents, TemplateStore
from domain.errors import NotFound
from domain.ids import WabaId
from domain.meta_errors import CloudApiError
from domain.templates import MessageTemplate, validate_template


class CreateTemplate:
    def __init__(self, *, templates: TemplateStore, cloud_api: CloudApi, waba_id: WabaId, live_events: LiveEvents) -> None:
        self._templates = templates
        self._cloud_api = cloud_api
        self._waba_id = waba_id
        self._live = live_events

    async def __call__(self, template: MessageTemplate) -> MessageTemplate:
        validate_template(template)
        registered = await self._cloud_api.create_template(self._waba_id, template)
        await self._templates.save(registered)
        await self._live.publish("template.updated", template_event(registered))
        return registered


class DeleteTemplate:
    def __init__(self, *, templates: TemplateStore, cloud_api: CloudApi, waba_id: WabaId) -> None:
        self._templates = templates
        self._cloud_api = cloud_api
        self._waba_id = waba_id

    async def __call__(self, name: str, language: str | None) -> int:
        """Delete one language, or every language of the name as Meta does when none is given."""
        template_id = None
        if language is not None:
            template = await self._templates.get(name, language)
            if template is None:
                raise NotFound(f"template {name!r} does not exist in language {language!r}")
            template_id = template.id
        try:
            await self._cloud_api.delete_template(self._waba_id, name, template_id)
        except CloudApiError as error:
            if not error.names_nothing:
                raise
            # Meta has no such template: a copy we still hold is stale and goes too; none at all is a 404.
            if deleted := await self._templates.delete(name, language):
                return deleted
            raise NotFound(f"no template is named {name!r}") from None
        return await self._templates.delete(name, language)


class SyncTemplates:
    def __init__(self, *, templates: TemplateStore, cloud_api: CloudApi, waba_id: WabaId) -> None:
        self._templates = templates
        self._cloud_api = cloud_api
        self._waba_id = waba_id

    async def __call__(self, progress: Callable[[int, int], None] | None = None) -> list[MessageTemplate]:
        """Mirror Meta's list: what Meta has is saved, what it no longer has is deleted.

        `progress(done, total)` is told of each local write once Meta's list is in (the CLI's bar).
        """
        remote = await self._cloud_api.list_templates(self._waba_id)
        kept = {(t.name, t.language) for t in remote}
        stale = [t for t in await self._templates.list() if (t.name, t.language) not in kept]
        total = len(remote) + len(stale)
        for done, template in enumerate(remote, start=1):
            await self._templates.save(template)
            _tell(progress, done, total)
        for done, local in enumerate(stale, start=len(remote) + 1):
            await self._templates.delete(local.name, local.language)
            _tell(progress, done, total)
        return remote


def _tell(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
