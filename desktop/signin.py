"""The sign-in screen: a server URL and an API key, checked against the server before they are kept.

Each way it can go wrong gets its own message, next to the field at fault: a URL that is not a
server URL (or not wahub's), a server that does not answer, and a key the server refused.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.client import BadServerUrl, ClientError, Refused, ServerUnreachable


class SignInScreen(QWidget):
    submitted = Signal(str, str)

    def __init__(self, server_url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signIn")
        self.setWindowTitle("wahub — sign in")
        heading = QLabel("Sign in to your wahub server")
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        hint = QLabel("The URL and an API key come from `wahub serve`'s banner or from `wahub keys create`.")
        hint.setWordWrap(True)
        self.url = QLineEdit(server_url)
        self.url.setObjectName("serverUrl")
        self.url.setPlaceholderText("http://127.0.0.1:8000")
        self.url_error = _error_label("urlError")
        self.key = QLineEdit()
        self.key.setObjectName("apiKey")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("wahub_…")
        self.key_error = _error_label("keyError")
        self.button = QPushButton("Sign in")
        self.button.setObjectName("signInButton")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.key.returnPressed.connect(self.submit)
        self.url.returnPressed.connect(self.submit)
        form = QFormLayout()
        form.addRow("Server URL", self.url)
        form.addRow("", self.url_error)
        form.addRow("API key", self.key)
        form.addRow("", self.key_error)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.button)

    def prefill(self, server_url: str, api_key: str) -> None:
        self.url.setText(server_url)
        self.key.setText(api_key)

    def submit(self) -> None:
        self.show_error(None)
        self.button.setEnabled(False)
        self.button.setText("Checking…")
        self.submitted.emit(self.url.text(), self.key.text())

    def show_error(self, error: ClientError | None) -> None:
        """A bad URL and an unreachable server are about the URL; a refusal is about the key."""
        self.button.setEnabled(True)
        self.button.setText("Sign in")
        self.url_error.setVisible(False)
        self.key_error.setVisible(False)
        if error is None:
            return
        if isinstance(error, Refused) and error.refused_key:
            label, text = self.key_error, f"The server refused this API key ({error})."
        elif isinstance(error, BadServerUrl):
            label, text = self.url_error, f"Not a wahub server URL: {error}"
        elif isinstance(error, ServerUnreachable):
            label, text = self.url_error, f"Server unreachable: {error}"
        else:
            label, text = self.key_error, str(error)
        label.setText(text)
        label.setVisible(True)


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #c0392b;")
    label.hide()
    return label
