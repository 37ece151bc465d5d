"""The main window: a rail of screens the key's role may use, the screen, and one connection banner.

Losing the server shows a single banner that counts down to the next attempt; it disappears once
the stream is back (and the screens re-fetch). A customer's message raises a tray notification
when the window is not focused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from desktop.client import Message
from desktop.events import ConnectionState
from desktop.inbox import InboxScreen
from desktop.presentation import message_preview
from desktop.screens import SCREENS, Screen
from desktop.session import Session


@dataclass(frozen=True)
class Shortcut:
    keys: str
    does: str
    run: Callable[[MainWindow], object]


SHORTCUTS = (
    Shortcut("Ctrl+F", "Search conversations", lambda w: w.inbox_do(InboxScreen.focus_search)),
    Shortcut("Ctrl+Down", "Next conversation", lambda w: w.inbox_do(lambda inbox: inbox.step_conversation(1))),
    Shortcut("Ctrl+Up", "Previous conversation", lambda w: w.inbox_do(lambda inbox: inbox.step_conversation(-1))),
    Shortcut("Ctrl+Return", "Send", lambda w: w.inbox_do(lambda inbox: inbox.composer.submit())),
    Shortcut("Ctrl+T", "Send a template", lambda w: w.inbox_do(lambda inbox: inbox.composer.template_requested.emit())),
    Shortcut("F1", "Show these shortcuts", lambda w: w.show_help()),
)
"""Enter sends and Shift+Enter starts a new line in the composer itself; the help lists both."""


class MainWindow(QMainWindow):
    def __init__(self, session: Session, first_screen: str = "inbox") -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle(f"wahub — {session.me.name} ({session.me.role})")
        self.resize(1100, 720)
        self.banner = QLabel()
        self.banner.setObjectName("connectionBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet("background: #fff3cd; color: #6b4e00; padding: 6px;")
        self.banner.hide()
        self._banner_state: ConnectionState | None = None
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._count_down)
        self.stack = QStackedWidget()
        self.rail = QVBoxLayout()
        self.rail_buttons: dict[str, QPushButton] = {}
        self.screens: dict[str, QWidget] = {}
        group = QButtonGroup(self)
        for screen in self.permitted_screens():
            self._add_screen(screen, group)
        self.rail.addStretch(1)
        who = QLabel(f"{session.me.name}\n{session.me.role}")
        who.setObjectName("whoAmI")
        who.setStyleSheet("color: #667781;")
        self.rail.addWidget(who)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        rail_host = QWidget()
        rail_host.setObjectName("rail")
        rail_host.setStyleSheet("QWidget#rail { background: #f0f2f5; }")
        rail_host.setLayout(self.rail)
        rail_host.setFixedWidth(120)
        body.addWidget(rail_host)
        body.addWidget(self.stack, 1)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        self.tray = self._tray()
        self.last_notification: tuple[str, str] | None = None
        for shortcut in SHORTCUTS:
            action = QAction(shortcut.does, self)
            action.setShortcut(QKeySequence(shortcut.keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, s=shortcut: s.run(self))
            self.addAction(action)
        session.connection_changed.connect(self._connection_changed)
        self.show_screen(first_screen if first_screen in self.screens else next(iter(self.screens), ""))

    def permitted_screens(self) -> list[Screen]:
        return [screen for screen in SCREENS.values() if self.session.may(screen.action)]

    def _add_screen(self, screen: Screen, group: QButtonGroup) -> None:
        widget = screen.build(self.session)
        self.screens[screen.name] = widget
        self.stack.addWidget(widget)
        button = QPushButton(screen.title)
        button.setObjectName(f"screen-{screen.name}")
        button.setCheckable(True)
        button.clicked.connect(lambda _=False, name=screen.name: self.show_screen(name))
        group.addButton(button)
        self.rail.addWidget(button)
        self.rail_buttons[screen.name] = button
        if isinstance(widget, InboxScreen):
            widget.customer_wrote.connect(self.notify)

    def show_screen(self, name: str) -> None:
        if name in self.screens:
            self.stack.setCurrentWidget(self.screens[name])
            self.rail_buttons[name].setChecked(True)

    @property
    def inbox(self) -> InboxScreen | None:
        widget = self.screens.get("inbox")
        return widget if isinstance(widget, InboxScreen) else None

    def inbox_do(self, action: Callable[[InboxScreen], None]) -> None:
        inbox = self.inbox
        if inbox is not None:
            self.show_screen("inbox")
            action(inbox)

    def show_help(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setObjectName("shortcutsHelp")
        dialog.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(dialog)
        rows = [(s.keys, s.does) for s in SHORTCUTS] + [
            ("Enter", "Send (in the composer)"),
            ("Shift+Enter", "New line"),
        ]
        for keys, does in rows:
            label = QLabel(f"<b>{QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)}</b> — {does}")
            layout.addWidget(label)
        close = QPushButton("Close")
        close.clicked.connect(dialog.accept)
        layout.addWidget(close)
        dialog.open()
        return dialog

    def notify(self, message: Message) -> None:
        """A customer wrote while the agent looks elsewhere: one notification through the tray."""
        if self.isActiveWindow():
            return
        title = message.customer_name or message.customer_id
        self.last_notification = (title, message_preview(message))
        if self.tray is not None:
            self.tray.showMessage(title, message_preview(message), QSystemTrayIcon.MessageIcon.Information, 5000)

    def _tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        pixmap = QPixmap(32, 32)
        pixmap.fill(QColor("#25d366"))
        tray = QSystemTrayIcon(QIcon(pixmap), self)
        tray.setToolTip("wahub")
        tray.activated.connect(self._raise)
        tray.show()
        return tray

    def _raise(self) -> None:
        self.showNormal()
        self.activateWindow()

    def _connection_changed(self, state: ConnectionState) -> None:
        if state.connected:
            self._countdown.stop()
            self.banner.hide()
            self._banner_state = None
            return
        self._banner_state = state
        self._left = int(round(state.retry_in))
        self._count_down()
        self._countdown.start()
        self.banner.show()

    def _count_down(self) -> None:
        state = self._banner_state
        if state is None:
            return
        wait = f"retrying in {self._left} s" if self._left > 0 else "retrying now"
        self.banner.setText(
            f"Reconnecting to {self.session.client.server_url} — {state.reason}; {wait} (attempt {state.attempt})"
        )
        self._left -= 1

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)  # type: ignore[arg-type]


def application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([])
    app.setApplicationName("wahub")
    app.setOrganizationName("wahub")
    return app
