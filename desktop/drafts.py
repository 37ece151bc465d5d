"""What an agent typed and has not sent, per conversation: it survives switching, a lost server and a restart."""

from __future__ import annotations

from urllib.parse import quote

from PySide6.QtCore import QSettings

GROUP = "drafts"


class Drafts:
    """Written through on every change (a few hundred bytes), so even a crash keeps the last keystroke."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def get(self, conversation: tuple[str, str]) -> str:
        return str(self._settings.value(_key(conversation), "") or "")

    def put(self, conversation: tuple[str, str], text: str) -> None:
        if text:
            self._settings.setValue(_key(conversation), text)
        else:
            self._settings.remove(_key(conversation))
        self._settings.sync()


def _key(conversation: tuple[str, str]) -> str:
    number, customer = conversation
    return f"{GROUP}/{quote(number, safe='')}-{quote(customer, safe='')}"
