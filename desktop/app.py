"""The desktop application's flow: sign in (or use the given or remembered credentials), then the window."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject

from desktop.catalogue import register_screens
from desktop.client import BadServerUrl, ClientError, Me, PhoneNumber, WahubClient, check_server_url
from desktop.credentials import CredentialStore, open_settings
from desktop.session import Session
from desktop.signin import SignInScreen
from desktop.tasks import Tasks
from desktop.window import MainWindow


class DesktopApp(QObject):
    def __init__(self, server_url: str | None = None, api_key: str | None = None, first_screen: str = "inbox") -> None:
        super().__init__()
        register_screens()
        self.settings = open_settings()
        self.credentials = CredentialStore(self.settings)
        self.tasks = Tasks(self)
        self.first_screen = first_screen
        self.server_url = server_url or os.environ.get("WAHUB_SERVER_URL") or self.credentials.server_url()
        self.api_key = api_key or os.environ.get("WAHUB_API_KEY") or ""
        if not self.api_key and self.server_url:
            self.api_key = self.credentials.api_key(self.server_url)
        self.sign_in_screen = SignInScreen(self.server_url)
        self.sign_in_screen.resize(520, 320)
        self.sign_in_screen.submitted.connect(self.sign_in)
        self.window: MainWindow | None = None
        self.session: Session | None = None

    def start(self) -> None:
        self.sign_in_screen.show()
        if self.server_url and self.api_key:
            self.sign_in_screen.prefill(self.server_url, self.api_key)
            self.sign_in_screen.submit()

    def sign_in(self, server_url: str, api_key: str) -> None:
        try:
            client = WahubClient(check_server_url(server_url), api_key.strip())
        except BadServerUrl as error:
            self.sign_in_screen.show_error(error)
            return

        def failed(error: ClientError) -> None:
            client.close()
            self.sign_in_screen.show_error(error)

        def who() -> tuple[Me, list[PhoneNumber]]:
            return client.me(), client.phone_numbers()

        self.tasks.run(who, lambda answer: self._signed_in(client, api_key.strip(), *answer), failed)

    def _signed_in(self, client: WahubClient, api_key: str, me: Me, numbers: list[PhoneNumber]) -> None:
        self.credentials.remember(client.server_url, api_key)
        self.session = Session(client, me, numbers, self.settings, self.tasks)
        self.window = MainWindow(self.session, self.first_screen)
        self.window.show()
        self.sign_in_screen.hide()
        self.session.follow_events()

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        if self.session is not None:
            self.session.close()
        self.sign_in_screen.close()
        self.tasks.wait()
        self.settings.sync()
