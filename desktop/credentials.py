"""Where the desktop remembers its server and API key between runs.

The URL is a preference, kept in the desktop's settings file. The key is a secret: it goes to the
OS keychain through `keyring` when the machine has one, and otherwise to a file only the user can
read (0600, in a 0700 folder). It is never printed, logged or shown.
"""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import keyring.errors
from PySide6.QtCore import QSettings

KEYRING_SERVICE = "wahub-desktop"
SERVER_URL = "server/url"


def config_dir() -> Path:
    """$XDG_CONFIG_HOME/wahub (or ~/.config/wahub): settings, drafts and, without a keychain, the key."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "wahub"


def open_settings() -> QSettings:
    """One ini file under config_dir(), so a test or a second profile just points XDG_CONFIG_HOME elsewhere."""
    return QSettings(str(config_dir() / "desktop.ini"), QSettings.Format.IniFormat)


class CredentialStore:
    def __init__(self, settings: QSettings, key_file: Path | None = None) -> None:
        self._settings = settings
        self._key_file = key_file or config_dir() / "api-key"

    def server_url(self) -> str:
        return str(self._settings.value(SERVER_URL, "") or "")

    def api_key(self, server_url: str) -> str:
        try:
            secret = keyring.get_password(KEYRING_SERVICE, server_url)
        except keyring.errors.KeyringError:
            secret = None
        if secret:
            return secret
        if self._key_file.is_file():
            stored_url, _, stored_key = self._key_file.read_text().partition("\n")
            if stored_url == server_url:
                return stored_key.strip()
        return ""

    def remember(self, server_url: str, api_key: str) -> str:
        """Returns where the key went ("the keychain" or the file's path), for the sign-in screen to say."""
        self._settings.setValue(SERVER_URL, server_url)
        self._settings.sync()
        try:
            keyring.set_password(KEYRING_SERVICE, server_url, api_key)
            return "the keychain"
        except keyring.errors.KeyringError:
            self._write_key_file(server_url, api_key)
            return str(self._key_file)

    def _write_key_file(self, server_url: str, api_key: str) -> None:
        self._key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(self._key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(f"{server_url}\n{api_key}\n")
        os.chmod(self._key_file, 0o600)
