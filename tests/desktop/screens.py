"""Opening the real window on one of part 2's screens, signed in against a real `wahub serve`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp
from tests.e2e.support import WahubServer, run_wahub, wahub_environment

WAIT_MS = 20_000

OpenScreen = Callable[[WahubServer, str, str], QWidget]


def opening_screens(qtbot: QtBot) -> Iterator[OpenScreen]:
    """For a test module's `open_screen` fixture: `wahub desktop --server URL --api-key KEY` on a screen,
    in this process; every app opened is closed at the end."""
    apps: list[DesktopApp] = []

    def opening(server: WahubServer, key: str, screen: str) -> QWidget:
        app = DesktopApp(server.url, key, screen)
        apps.append(app)
        app.start()
        qtbot.waitUntil(lambda: app.session is not None and app.session.live, timeout=WAIT_MS)
        assert app.window is not None
        widget = app.window.screens[screen]
        assert app.window.stack.currentWidget() is widget
        return widget

    yield opening
    for app in apps:
        app.close()


def agent_key(home: Path) -> str:
    """A key with role agent, made as an operator would: `wahub keys create`."""
    created = run_wahub(wahub_environment(home), "keys", "create", "--role", "agent", "--name", "support desk")
    assert created.returncode == 0, created.stderr
    found = re.search(r"^secret\s+(\S+)$", created.stdout, re.MULTILINE)
    assert found is not None, created.stdout
    return found.group(1)


def waits(qtbot: QtBot, check: Callable[[], object], timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: bool(check()), timeout=timeout)


def visible_named(name: str) -> QWidget | None:
    """A visible top-level window or dialog by object name (dialogs opened with open() are top level)."""
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    return None


def child_button(parent: QWidget, name: str) -> QPushButton:
    found = parent.findChild(QPushButton, name)
    assert found is not None, f"no button {name}"
    return found
