"""Where the agent writes: text with WhatsApp's limit as they type, attachments checked before upload,
templates, a quoted reply, and the window's rule (outside it, only a template).

The limits and rules come from domain/; this module only shows them. Enter sends, Shift+Enter
starts a new line. The text is the conversation's draft: it is saved on every change.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from domain.errors import MediaRejected
from domain.media import check_media, kind_for_mime
from domain.sending_limits import SENDING_LIMITS

TEXT_LIMIT = SENDING_LIMITS["text.body"]
CAPTION_LIMIT = SENDING_LIMITS["image.caption"]


class MessageEdit(QPlainTextEdit):
    send_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.send_requested.emit()
            return
        super().keyPressEvent(event)


class Attachment:
    """A file the agent chose, checked against WhatsApp's kinds and sizes before anything is uploaded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.kind = kind_for_mime(self.mime_type)
        check_media(self.kind, self.mime_type, path.stat().st_size)


class Composer(QWidget):
    send_text = Signal(str, str)
    """(text, quoted wamid or "")"""
    send_attachment = Signal(object, str, str)
    """(Attachment, caption, quoted wamid or "")"""
    template_requested = Signal()
    typing = Signal()
    draft_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self._reply_to = ""
        self._attachment: Attachment | None = None
        self._window_open = True
        self.reply_bar = QWidget()
        self.reply_label = QLabel()
        self.reply_label.setObjectName("replyingTo")
        cancel_reply = QPushButton("✕")
        cancel_reply.setFlat(True)
        cancel_reply.clicked.connect(self.cancel_reply)
        reply_row = QHBoxLayout(self.reply_bar)
        reply_row.setContentsMargins(0, 0, 0, 0)
        reply_row.addWidget(self.reply_label, 1)
        reply_row.addWidget(cancel_reply)
        self.reply_bar.hide()
        self.attachment_label = QLabel()
        self.attachment_label.setObjectName("attachment")
        self.attachment_label.hide()
        self.window_notice = QLabel()
        self.window_notice.setObjectName("windowNotice")
        self.window_notice.setWordWrap(True)
        self.window_notice.setStyleSheet("color: #8a6d00; background: #fff6d6; padding: 6px; border-radius: 4px;")
        self.window_notice.hide()
        self.edit = MessageEdit()
        self.edit.setObjectName("messageEdit")
        self.edit.setPlaceholderText("Type a message (Enter sends, Shift+Enter for a new line)")
        self.edit.setFixedHeight(72)
        self.edit.send_requested.connect(self.submit)
        self.edit.textChanged.connect(self._text_changed)
        self.counter = QLabel()
        self.counter.setObjectName("counter")
        self.counter.setMinimumWidth(self.counter.fontMetrics().horizontalAdvance("0000 / 4096") + 12)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error = QLabel()
        self.error.setObjectName("composerError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        self.error.hide()
        self.attach_button = QPushButton("Attach…")
        self.attach_button.setObjectName("attachButton")
        self.attach_button.clicked.connect(self.choose_attachment)
        self.template_button = QPushButton("Template…")
        self.template_button.setObjectName("templateButton")
        self.template_button.clicked.connect(self.template_requested)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.template_button)
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        buttons.addWidget(self.counter)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.window_notice)
        layout.addWidget(self.reply_bar)
        layout.addWidget(self.attachment_label)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._text_changed()

    @property
    def limit(self) -> int:
        return CAPTION_LIMIT.most if self._attachment is not None else TEXT_LIMIT.most

    def text(self) -> str:
        return self.edit.toPlainText()

    def load_draft(self, text: str) -> None:
        self.edit.blockSignals(True)
        self.edit.setPlainText(text)
        self.edit.blockSignals(False)
        self.clear_attachment()
        self.cancel_reply()
        self.show_error("")
        self._text_changed(announce=False)

    def set_window(self, is_open: bool, reason: str) -> None:
        """Outside the window free text would be accepted by Meta and then fail (131047): it is not offered."""
        self._window_open = is_open
        self.edit.setReadOnly(not is_open)
        self.attach_button.setEnabled(is_open)
        self.window_notice.setVisible(not is_open)
        self.window_notice.setText(reason)
        self.template_button.setDefault(not is_open)
        self.template_button.setText("Template…" if is_open else "Send a template…")
        self._text_changed(announce=False)

    def reply_to(self, wamid: str, summary: str) -> None:
        self._reply_to = wamid
        self.reply_label.setText(f"Replying to {summary}")
        self.reply_bar.show()
        self.edit.setFocus()

    def cancel_reply(self) -> None:
        self._reply_to = ""
        self.reply_bar.hide()

    def choose_attachment(self) -> None:
        dialog = QFileDialog(self, "Attach a file")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.attach(Path(path)))
        dialog.open()

    def attach(self, path: Path) -> None:
        try:
            self._attachment = Attachment(path)
        except (MediaRejected, OSError) as refusal:
            self._attachment = None
            self.attachment_label.hide()
            self.show_error(f"{path.name}: {refusal}")
            return
        self.show_error("")
        self.attachment_label.setText(f"▤ {path.name} ({self._attachment.kind}) — the text below is its caption")
        self.attachment_label.show()
        self._text_changed(announce=False)

    def clear_attachment(self) -> None:
        self._attachment = None
        self.attachment_label.hide()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def submit(self) -> None:
        if not self.send_button.isEnabled():
            return
        text = self.text().strip()
        if self._attachment is not None:
            self.send_attachment.emit(self._attachment, text, self._reply_to)
        elif text:
            self.send_text.emit(text, self._reply_to)

    def sent(self) -> None:
        """The server accepted it: the draft is spent."""
        self.edit.clear()
        self.clear_attachment()
        self.cancel_reply()
        self.show_error("")

    def _text_changed(self, announce: bool = True) -> None:
        length = len(self.text())
        over = length > self.limit
        self.counter.setText(f"{length} / {self.limit}")
        self.counter.setStyleSheet("color: #c0392b; font-weight: bold;" if over else "color: #667781;")
        has_something = bool(self.text().strip()) or self._attachment is not None
        self.send_button.setEnabled(self._window_open and has_something and not over)
        if announce:
            self.draft_changed.emit(self.text())
            if length:
                self.typing.emit()
