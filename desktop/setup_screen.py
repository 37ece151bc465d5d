"""The Setup guide screen: desktop.setup_steps drawn as numbered cards, each with its live check.

The checks are fetched when the screen opens, on "Check again", after a reconnect and whenever a
webhook brings a customer's message (the last step's check). In sandbox mode "A customer writes in"
asks the simulator for a test customer's message, so the inbox can be tried at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.client import ClientError
from desktop.events import StreamEvent
from desktop.session import Session
from desktop.setup_steps import SetupStep, setup_steps
from desktop.window import MainWindow

TEST_CUSTOMER = ("16505550100", "Test Customer", "Hi! I'm trying out your WhatsApp inbox.")
"""Who writes in when the admin asks, in sandbox mode: a number in the range reserved for fiction."""


class StepCard(QFrame):
    def __init__(self, number: int, step: SetupStep) -> None:
        super().__init__()
        self.step = step
        self.setObjectName(f"setupStep-{number}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        colour = "#1f8a3b" if step.passed else "#c0392b"
        self.setStyleSheet(f"QFrame#setupStep-{number} {{ border-left: 4px solid {colour}; background: white; }}")
        title = QLabel(f"<b>{number}. {step.title}</b>")
        todo = QLabel(step.todo)
        todo.setWordWrap(True)
        self.check = QLabel(("✓ " if step.passed else "✗ ") + step.found)
        self.check.setObjectName("checkResult")
        self.check.setWordWrap(True)
        self.check.setStyleSheet(f"color: {colour};")
        self.fix = QLabel(f"How to fix: {step.fix}" if step.fix else "")
        self.fix.setObjectName("checkFix")
        self.fix.setWordWrap(True)
        self.fix.setVisible(bool(step.fix))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(todo)
        if step.values:
            grid = QGridLayout()
            for row, paste in enumerate(step.values):
                value = QLineEdit(paste.value)
                value.setReadOnly(True)
                value.setObjectName(f"paste-{paste.label}")
                copy = QPushButton("Copy")
                copy.setObjectName(f"copy-{paste.label}")
                copy.clicked.connect(lambda _=False, text=paste.value: QGuiApplication.clipboard().setText(text))
                grid.addWidget(QLabel(paste.label), row, 0)
                grid.addWidget(value, row, 1)
                grid.addWidget(copy, row, 2)
            layout.addLayout(grid)
        layout.addWidget(self.check)
        layout.addWidget(self.fix)


class SetupScreen(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.setObjectName("setupScreen")
        self.session = session
        self.checks: dict[str, Any] = {}
        self.cards: list[StepCard] = []
        heading = QLabel("<h2>Connect your Meta app</h2>")
        self.summary = QLabel("Checking…")
        self.summary.setObjectName("setupSummary")
        self.check_again = QPushButton("Check again")
        self.check_again.setObjectName("checkAgainButton")
        self.check_again.clicked.connect(self.load)
        self.customer_button = QPushButton("A customer writes in")
        self.customer_button.setObjectName("customerWritesInButton")
        self.customer_button.setToolTip("Sandbox only: the simulator sends the inbox a test customer's message")
        self.customer_button.clicked.connect(self.customer_writes_in)
        self.customer_button.hide()
        self.inbox_button = QPushButton("Open the inbox")
        self.inbox_button.setObjectName("openInboxButton")
        self.inbox_button.clicked.connect(self.open_inbox)
        self.notice = QLabel()
        self.notice.setObjectName("setupNotice")
        self.inbox_button.hide()
        self.error = QLabel()
        self.error.setObjectName("setupError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.customer_button)
        top.addWidget(self.inbox_button)
        top.addWidget(self.check_again)
        self.steps_host = QWidget()
        self.steps = QVBoxLayout(self.steps_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.steps_host)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)
        session.reload.connect(self.load)
        session.event_received.connect(self._on_event)
        self.load()

    def load(self) -> None:
        self.check_again.setEnabled(False)
        self.session.tasks.run(self.session.client.setup_checks, self._show, self._failed, owner=self)

    def _on_event(self, event: StreamEvent) -> None:
        if event.type == "message.received" and self.checks and not self.checks.get("last_webhook_received_at"):
            self.load()

    def _show(self, checks: dict[str, Any]) -> None:
        self.check_again.setEnabled(True)
        self.error.setText("")
        self.checks = checks
        while self.steps.count():
            item = self.steps.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cards = [
            StepCard(n, step) for n, step in enumerate(setup_steps(checks, self.session.client.server_url), 1)
        ]
        for card in self.cards:
            self.steps.addWidget(card)
        self.steps.addStretch(1)
        failed = [card.step.title for card in self.cards if not card.step.passed]
        sandbox = checks.get("mode") == "sandbox"
        mode = "Sandbox mode: the simulator plays Meta. " if sandbox else ""
        self.summary.setText(
            mode + (f"{len(failed)} of {len(self.cards)} steps need attention." if failed else "Every check passes.")
        )
        self.customer_button.setVisible(sandbox and bool(checks.get("simulator_url")))

    def _failed(self, error: ClientError) -> None:
        self.check_again.setEnabled(True)
        self.error.setText(str(error))

    def open_inbox(self) -> None:
        window = self.window()
        if isinstance(window, MainWindow):
            window.show_screen("inbox")

    def customer_writes_in(self) -> None:
        simulator_url = str(self.checks.get("simulator_url") or "")
        wa_id, name, text = TEST_CUSTOMER
        self.customer_button.setEnabled(False)

        def written(_: object) -> None:
            self.customer_button.setEnabled(True)
            self.inbox_button.show()
            self.notice.setText(f"{name} wrote in: open the inbox to answer.")
            self.load()

        def failed(error: ClientError) -> None:
            self.customer_button.setEnabled(True)
            self.error.setText(str(error))

        self.session.tasks.run(
            lambda: self.session.client.simulated_customer_writes(simulator_url, wa_id, name, text),
            written,
            failed,
            owner=self,
        )
