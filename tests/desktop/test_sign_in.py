"""Signing in: a good key opens the window; a refused key, a wrong URL and a dead server each say so."""

from __future__ import annotations

import stat
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp
from tests.desktop.support import WAIT_MS, agent_key, desktop_app, open_desktop, window
from tests.e2e.support import ADMIN_KEY, WahubServer, free_port


def sign_in(qtbot: QtBot, url: str, key: str) -> DesktopApp:
    app = desktop_app()
    app.start()
    screen = app.sign_in_screen
    qtbot.keyClicks(screen.url, url)
    qtbot.keyClicks(screen.key, key)
    qtbot.mouseClick(screen.button, Qt.MouseButton.LeftButton)
    return app


def test_a_good_key_opens_the_inbox_and_is_remembered_where_only_the_user_reads_it(
    qtbot: QtBot, wahub: WahubServer, desktop_config: Path
) -> None:
    app = sign_in(qtbot, wahub.url, ADMIN_KEY)
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=WAIT_MS)
    app.close()

    key_file = desktop_config / "wahub" / "api-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = desktop_app()
    again.start()
    qtbot.waitUntil(lambda: again.window is not None, timeout=WAIT_MS)
    assert "admin" in window(again).windowTitle()
    again.close()


def test_a_refused_key_is_said_next_to_the_key(qtbot: QtBot, wahub: WahubServer) -> None:
    app = sign_in(qtbot, wahub.url, "wahub_this_key_was_never_issued_0123456789")

    qtbot.waitUntil(lambda: app.sign_in_screen.key_error.isVisible(), timeout=WAIT_MS)
    assert "refused this API key" in app.sign_in_screen.key_error.text()
    assert app.window is None and not app.sign_in_screen.url_error.isVisible()
    app.close()


def test_a_wrong_url_and_a_dead_server_are_said_next_to_the_url(qtbot: QtBot) -> None:
    app = sign_in(qtbot, "127.0.0.1:8000", ADMIN_KEY)
    qtbot.waitUntil(lambda: app.sign_in_screen.url_error.isVisible(), timeout=WAIT_MS)
    assert "Not a wahub server URL" in app.sign_in_screen.url_error.text()

    app.sign_in_screen.url.setText(f"http://127.0.0.1:{free_port()}")
    qtbot.mouseClick(app.sign_in_screen.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "unreachable" in app.sign_in_screen.url_error.text(), timeout=WAIT_MS)
    assert app.window is None
    app.close()


def test_an_agent_key_sees_no_admin_screen(qtbot: QtBot, wahub: WahubServer, home: Path) -> None:
    app = open_desktop(qtbot, wahub, agent_key(home), screen="setup")

    shown = set(window(app).rail_buttons)
    assert "inbox" in shown and "setup" not in shown
    assert window(app).stack.currentWidget() is window(app).inbox
    app.close()
