"""The Setup guide screen: desktop.setup_steps drawn as numbered cards, each with its live checks.

The checks are fetched when the screen opens, on "Check again", after a reconnect, and after a test
message. A failed check shows the server's fix under it. In sandbox mode "A customer writes in" has a
simulated customer write to the business number, so the inbox can be tried at once.
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
from desktop.session import Session
from desktop.setup_steps import SetupStep, Verdict, setup_steps, verdict
from desktop.tasks import Latest
from desktop.window import MainWindow
from domain.setup import SetupCheck

TEST_CUSTOMER = ("16505550100", "Test Customer", "Hi! I'm trying out your WhatsApp inbox.")
"""Who writes in when the admin asks, in sandbox mode: a number in the range reserved for fiction."""
COLOURS = {Verdict.PASSED: "#1f8a3b", Verdict.FAILED: "#c0392b", Verdict.NOT_RUN: "#667781"}
MARKS = {Verdict.PASSED: "✓", Verdict.FAILED: "✗", Verdict.NOT_RUN: "…"}


class CheckRow(QWidget):
    """One check: its mark and summary, and under a failed one, how to fix it."""

    def __init__(self, check: SetupCheck) -> None:
        super().__init__()
        self.check = check
        self.setObjectName(f"check-{check.name}")
        found = verdict(check)
        self.summary = QLabel(f"{MARKS[found]} {check.summary}")
        self.summary.setObjectName("checkSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {COLOURS[found]};")
        self.fix = QLabel(f"How to fix: {check.fix}" if check.fix else "")
        self.fix.setObjectName("checkFix")
        self.fix.setWordWrap(True)
        self.fix.setVisible(bool(check.fix))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.fix)


class StepCard(QFrame):
    def __init__(self, number: int, step: SetupStep) -> None:
        super().__init__()
        self.step = step
        self.setObjectName(f"setupStep-{number}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        colour = COLOURS[step.verdict]
        self.setStyleSheet(f"QFrame#setupStep-{number} {{ border-left: 4px solid {colour}; background: white; }}")
        title = QLabel(f"<b>{number}. {step.title}</b>")
        todo = QLabel(step.todo)
        todo.setWordWrap(True)
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
        self.rows = [CheckRow(check) for check in step.checks]
        for check_row in self.rows:
            layout.addWidget(check_row)


class SetupScreen(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.setObjectName("setupScreen")
        self.session = session
        self.checks: dict[str, Any] = {}
        self.cards: list[StepCard] = []
        self._checks = Latest(session.tasks, self)
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
        self.test_button = QPushButton("Send a test message")
        self.test_button.setObjectName("sendTestMessageButton")
        self.test_button.setToolTip("Sends the approved hello_world template and waits for its status webhook")
        self.test_button.clicked.connect(self.send_test_message)
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
        top.addWidget(self.test_button)
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
        self.load()

    def load(self) -> None:
        """A newer check run supersedes one still on its way: the screen shows only the latest verdict."""
        self.check_again.setEnabled(False)
        self._checks.run(self.session.client.setup_checks, self._show, self._failed)

    def _show(self, checks: dict[str, Any]) -> None:
        self.check_again.setEnabled(True)
        self.error.setText("")
        self.checks = checks
        while self.steps.count():
            item = self.steps.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cards = [StepCard(n, step) for n, step in enumerate(setup_steps(checks), 1)]
        for card in self.cards:
            self.steps.addWidget(card)
        self.steps.addStretch(1)
        failed = [card.step.title for card in self.cards if card.step.verdict is Verdict.FAILED]
        sandbox = checks.get("mode") == "sandbox"
        mode = "Sandbox mode: the simulator plays Meta. " if sandbox else ""
        self.summary.setText(
            mode + (f"{len(failed)} of {len(self.cards)} steps need attention." if failed else "Every check passes.")
        )
        self.customer_button.setVisible(sandbox)

    def _failed(self, error: ClientError) -> None:
        self.check_again.setEnabled(True)
        self.error.setText(str(error))

    def open_inbox(self) -> None:
        window = self.window()
        if isinstance(window, MainWindow):
            window.show_screen("inbox")

    def customer_writes_in(self) -> None:
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
            lambda: self.session.client.sandbox_customer_writes(wa_id, name, text),
            written,
            failed,
            owner=self,
        )

    def send_test_message(self) -> None:
        """The server waits up to 20 s for the status webhook; the answer is the test_message check."""
        self.test_button.setEnabled(False)
        self.notice.setText("Sending hello_world and waiting for its status…")

        def tested(_: object) -> None:
            self.test_button.setEnabled(True)
            self.notice.setText("")
            self.load()

        def failed(error: ClientError) -> None:
            self.test_button.setEnabled(True)
            self.notice.setText("")
            self.error.setText(str(error))

        self.session.tasks.run(self.session.client.send_test_message, tested, failed, owner=self)
