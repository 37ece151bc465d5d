"""Driving the desktop as an agent would: the real window, real clicks and keys, a real server."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QListView, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp
from desktop.conversation_list import UnreadRole
from desktop.inbox import InboxScreen
from desktop.thread import MessageRole
from desktop.window import MainWindow
from tests.e2e.support import WahubServer, run_wahub, wahub_environment

WAIT_MS = 20_000


OPEN: list[DesktopApp] = []
"""Every app a test opened, closed after it even when it failed (conftest), so no stream outlives its test."""


def open_desktop(qtbot: QtBot, server: WahubServer | None, key: str, screen: str = "inbox") -> DesktopApp:
    """`wahub desktop --server URL --api-key KEY`, in this process, signed in."""
    app = desktop_app(server.url if server else None, key, screen)
    app.start()
    qtbot.waitUntil(lambda: app.session is not None and app.session.live, timeout=WAIT_MS)
    return app


def open_screen(qtbot: QtBot, server: WahubServer, key: str, screen: str) -> QWidget:
    """`wahub desktop --screen NAME`: the window opened on that screen, which it shows first."""
    shown = window(open_desktop(qtbot, server, key, screen)).screens[screen]
    assert window_of(shown).stack.currentWidget() is shown
    return shown


def window_of(screen: QWidget) -> MainWindow:
    found = screen.window()
    assert isinstance(found, MainWindow)
    return found


def agent_key(home: Path) -> str:
    """A key with role agent, made as an operator would: `wahub keys create`."""
    created = run_wahub(wahub_environment(home), "keys", "create", "--role", "agent", "--name", "support desk")
    assert created.returncode == 0, created.stderr
    found = re.search(r"^secret\s+(\S+)$", created.stdout, re.MULTILINE)
    assert found is not None, created.stdout
    return found.group(1)


def desktop_app(server_url: str | None = None, key: str | None = None, screen: str = "inbox") -> DesktopApp:
    app = DesktopApp(server_url, key, screen)
    OPEN.append(app)
    return app


def window(app: DesktopApp) -> MainWindow:
    assert app.window is not None
    return app.window


def inbox(app: DesktopApp) -> InboxScreen:
    screen = window(app).inbox
    assert screen is not None
    return screen


def listed(inbox: InboxScreen) -> list[tuple[str, int]]:
    """Each conversation row as the list shows it: its title and unread count."""
    model = inbox.conversation_list.model()
    return [(model.index(row, 0).data(), model.index(row, 0).data(UnreadRole)) for row in range(model.rowCount())]


def thread_texts(inbox: InboxScreen) -> list[str]:
    model = inbox.thread_view.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def thread_messages(inbox: InboxScreen) -> list[Any]:
    model = inbox.thread_view.model()
    return [model.index(row, 0).data(MessageRole) for row in range(model.rowCount())]


def click_row(qtbot: QtBot, view: QListView, row: int) -> None:
    index: QModelIndex = view.model().index(row, 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def click_at(qtbot: QtBot, widget: QWidget, point: QPoint) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=point)


def open_conversation(qtbot: QtBot, inbox: InboxScreen, title: str) -> None:
    qtbot.waitUntil(lambda: title in [name for name, _ in listed(inbox)], timeout=WAIT_MS)
    click_row(qtbot, inbox.conversation_list, [name for name, _ in listed(inbox)].index(title))
    qtbot.waitUntil(lambda: inbox.title.text() == title and inbox.messages.rowCount() > 0, timeout=WAIT_MS)


def type_and_send(qtbot: QtBot, inbox: InboxScreen, text: str) -> None:
    inbox.composer.edit.setFocus()
    qtbot.keyClicks(inbox.composer.edit, text)
    qtbot.keyClick(inbox.composer.edit, Qt.Key.Key_Return)


def dialog_named(name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    return None


def button(parent: QWidget, name: str) -> QPushButton:
    found = parent.findChild(QPushButton, name)
    assert found is not None, f"no button {name}"
    return found


def waits(qtbot: QtBot, check: Callable[[], object], timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: bool(check()), timeout=timeout)


def png(width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#25d366"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())
