"""The inbox screen: conversations on the left, the open thread and the composer on the right.

Everything it shows comes from the API through the session's worker threads and from the live
event stream; after a reconnect or a `stream.reset` it fetches what it shows again.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QSplitter,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.client import ClientError, Conversation, Message, PhoneNumber
from desktop.composer import Attachment, Composer
from desktop.conversation_list import ConversationDelegate, ConversationListModel
from desktop.events import StreamEvent
from desktop.presentation import message_preview, window_badge, window_open
from desktop.session import Session
from desktop.template_form import TemplateDialog, approved, template_payload
from desktop.thread import Bubble, BubbleDelegate, MessageRole, MessageThreadModel

TYPING_EVERY = 20.0
"""WhatsApp shows "typing…" for up to 25 s; refreshing it every 20 s keeps it up without a call per keystroke."""
SEARCH_DELAY_MS = 250
MARK_READ = "mark conversations read"
CLOSED_WINDOW = (
    "The 24-hour customer-service window is closed: the customer has not written in the last 24 hours, "
    "so WhatsApp would not deliver free text. Send an approved template instead."
)


class InboxScreen(QWidget):
    customer_wrote = Signal(object)
    """A customer's new message (a Message), for the window's notification."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.current: Conversation | None = None
        self._last_typing: dict[tuple[str, str], float] = {}
        self._sending = False

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search name, number or message (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(self._search_timer.start)
        self.numbers = QComboBox()
        self.numbers.setObjectName("numberFilter")
        self.numbers.addItem("All numbers", None)
        self.numbers.hide()
        self.numbers.currentIndexChanged.connect(self._apply_filters)
        self._show_numbers(session.phone_numbers)
        self.conversations = ConversationListModel(session, self)
        self.conversation_list = QListView()
        self.conversation_list.setObjectName("conversationList")
        self.conversation_list.setModel(self.conversations)
        self.conversation_list.setItemDelegate(ConversationDelegate(self.conversation_list))
        self.conversation_list.setUniformItemSizes(True)
        self.conversation_list.setMouseTracking(True)
        self.conversation_list.selectionModel().currentChanged.connect(self._current_changed)
        self.list_error = QLabel()
        self.list_error.setObjectName("listError")
        self.list_error.setWordWrap(True)
        self.list_error.setStyleSheet("color: #c0392b;")
        self.list_error.hide()
        self.conversations.failed.connect(self._list_failed)
        self.conversations.loaded.connect(self.list_error.hide)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 0, 8)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.numbers)
        left_layout.addWidget(self.list_error)
        left_layout.addWidget(self.conversation_list, 1)

        self.title = QLabel("Choose a conversation")
        self.title.setObjectName("threadTitle")
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.handle = QLabel()
        self.handle.setObjectName("threadHandle")
        self.badge = QLabel()
        self.badge.setObjectName("windowBadge")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.handle)
        header.addStretch(1)
        header.addWidget(self.badge)
        self.messages = MessageThreadModel(session, self)
        self.thread_view = QListView()
        self.thread_view.setObjectName("thread")
        self.thread_view.setModel(self.messages)
        self.bubbles = BubbleDelegate(self.thread_view)
        self.thread_view.setItemDelegate(self.bubbles)
        self.bubbles.watch(self.messages)
        self.thread_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.thread_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.thread_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.thread_view.setWordWrap(True)
        self.thread_view.setStyleSheet("QListView#thread { background: #efeae2; }")
        self.thread_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.thread_view.customContextMenuRequested.connect(self._thread_menu)
        self.thread_view.verticalScrollBar().valueChanged.connect(self._thread_scrolled)
        self.messages.loaded.connect(self._thread_loaded)
        self.messages.failed.connect(self._thread_failed)
        self.bubbles.retry_clicked.connect(self.retry)
        self.bubbles.media_clicked.connect(self._media_menu_at)
        self.thread_status = QLabel()
        self.thread_status.setObjectName("threadStatus")
        self.thread_status.setWordWrap(True)
        self.thread_status.hide()
        self.composer = Composer()
        self.composer.setEnabled(False)
        self.composer.send_text.connect(self.send_text)
        self.composer.send_attachment.connect(self.send_attachment)
        self.composer.template_requested.connect(self.choose_template)
        self.composer.draft_changed.connect(self._draft_changed)
        self.composer.typing.connect(self._typing)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 8, 8, 0)
        right_layout.addLayout(header)
        right_layout.addWidget(self.thread_view, 1)
        right_layout.addWidget(self.thread_status)
        right_layout.addWidget(self.composer)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self._clock = QTimer(self, interval=30_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        session.event_received.connect(self._on_event)
        session.reload.connect(self.reload)
        self.conversations.fetchMore()

    # conversations

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def step_conversation(self, step: int) -> None:
        count = self.conversations.rowCount()
        if not count:
            return
        row = self.conversation_list.currentIndex().row()
        row = 0 if row < 0 else max(0, min(count - 1, row + step))
        self.conversation_list.setCurrentIndex(self.conversations.index(row))

    def reload(self) -> None:
        """Everything shown may be stale: the list and the open thread are fetched again; the draft stays."""
        self.conversations.reload(keep_filters=True)
        self.messages.reload()

    def _apply_filters(self) -> None:
        self.conversations.reload(self.search.text(), self.numbers.currentData())

    def _show_numbers(self, numbers: list[PhoneNumber]) -> None:
        """The filter is offered only when there is a choice."""
        for number in numbers:
            label = " · ".join(part for part in (number.verified_name, number.display_phone_number) if part)
            self.numbers.addItem(label, number.phone_number_id)
        self.numbers.setVisible(len(numbers) > 1)

    def _list_failed(self, text: str) -> None:
        self.list_error.setText(text)
        self.list_error.show()

    def _current_changed(self, index: QModelIndex, _: QModelIndex) -> None:
        if not index.isValid():
            return
        conversation = self.conversations.conversation(index.row())
        if self.current is not None and self.current.key == conversation.key:
            self.current = conversation
            self._show_header()
            return
        self.open(conversation)

    def open(self, conversation: Conversation) -> None:
        self.current = conversation
        self.composer.setEnabled(True)
        self.composer.load_draft(self.session.drafts.get(conversation.key))
        self.thread_status.hide()
        self.messages.open(conversation.key)
        self._show_header()
        self._mark_read(conversation)

    def _show_header(self) -> None:
        conversation = self.current
        if conversation is None:
            return
        now = datetime.now(UTC)
        self.title.setText(conversation.title)
        self.handle.setText(conversation.handle if conversation.handle != conversation.title else "")
        badge = window_badge(conversation, now)
        self.badge.setText(badge)
        self.badge.setStyleSheet("color: #c0392b;" if badge == "template only" else "color: #667781;")
        self.composer.set_window(window_open(conversation, now), CLOSED_WINDOW)

    def _tick(self) -> None:
        self._show_header()
        self.conversation_list.viewport().update()

    def _mark_read(self, conversation: Conversation) -> None:
        if not self.session.may(MARK_READ) or not conversation.unread_count:
            return
        self.conversations.mark_read(conversation.key)
        number, customer = conversation.key
        self.session.tasks.run(
            lambda: self.session.client.mark_read(number, customer),
            self.conversations.replace,
            lambda error: self._show_status(f"Could not mark as read: {error}"),
            owner=self,
        )

    # live events

    def _on_event(self, event: StreamEvent) -> None:
        if not event.type.startswith("message.") or not isinstance(event.data, dict):
            return
        try:
            message = msgspec.convert(event.data, Message)
        except msgspec.ValidationError:
            return
        is_open = self.current is not None and message.conversation_key == self.current.key
        loading = self.messages.loading
        new_in_thread = self.messages.apply(message) and not loading
        if event.type == "message.received":
            seen = is_open and self.isVisible() and self.window().isActiveWindow()
            if self.conversations.apply_message(message, counted_unread=not seen):
                self.customer_wrote.emit(message)
            if seen and new_in_thread and self.current is not None:
                self._mark_read(msgspec.structs.replace(self.current, unread_count=1))
        elif event.type == "message.created":
            self.conversations.apply_message(message, counted_unread=True)
        if is_open:
            row = self.conversations.row_of(message.conversation_key)
            if row is not None:
                self.current = self.conversations.conversation(row)
                self._show_header()

    # thread

    def _thread_loaded(self, added: int) -> None:
        if self.messages.rowCount() == added:
            self.thread_view.scrollToBottom()
        elif added:
            self.thread_view.scrollTo(self.messages.index(added), QListView.ScrollHint.PositionAtTop)

    def _thread_scrolled(self, value: int) -> None:
        if value <= 40 and self.messages.has_older():
            self.messages.fetch_older()

    def _thread_failed(self, text: str) -> None:
        self._show_status(text)

    def _show_status(self, text: str, error: bool = True) -> None:
        self.thread_status.setText(text)
        self.thread_status.setStyleSheet("color: #c0392b;" if error else "color: #1f7a3a;")
        self.thread_status.setVisible(bool(text))

    def retry_point(self, row: int) -> QPoint:
        """The centre of a failed bubble's Retry, in the thread viewport's coordinates (for tests and scripts)."""
        point: QPoint = self._bubble(row).retry.center()
        return point

    def media_point(self, row: int) -> QPoint:
        parts = self._bubble(row)
        point: QPoint = (parts.image if parts.image.height() else parts.chip).center()
        return point

    def _bubble(self, row: int) -> Bubble:
        index = self.messages.index(row)
        option = QStyleOptionViewItem()
        option.initFrom(self.thread_view)
        option.rect = self.thread_view.visualRect(index)
        return self.bubbles.bubble(option, index)

    def _thread_menu(self, point: QPoint) -> None:
        index = self.thread_view.indexAt(point)
        if not index.isValid():
            return
        menu = self.message_menu(index.row())
        menu.popup(self.thread_view.viewport().mapToGlobal(point))

    def message_menu(self, row: int) -> QMenu:
        message: Message = self.messages.index(row).data(MessageRole)
        menu = QMenu(self)
        menu.setObjectName("messageMenu")
        if message.wamid:
            menu.addAction("Reply", lambda: self.composer.reply_to(message.wamid or "", _summary(message)))
        if isinstance(message.content.get("id"), str):
            menu.addAction("Open", lambda: self.open_media(message))
            menu.addAction("Save as…", lambda: self.save_media(message))
        return menu

    def _media_menu_at(self, row: int) -> None:
        menu = self.message_menu(row)
        rect = self.thread_view.visualRect(self.messages.index(row))
        menu.popup(self.thread_view.viewport().mapToGlobal(rect.center()))

    def retry(self, message_id: str) -> None:
        self._show_status("Retrying…", error=False)
        self.session.tasks.run(
            lambda: self.session.client.retry(message_id),
            self._retried,
            lambda error: self._show_status(f"Retry refused: {error}"),
            owner=self,
        )

    def _retried(self, message: Message) -> None:
        self._show_status("")
        self.messages.apply(message)

    def open_media(self, message: Message) -> None:
        media_id = str(message.content["id"])
        target = Path(tempfile.gettempdir()) / "wahub-media" / _filename(message)
        self._download(media_id, target, lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))))

    def save_media(self, message: Message) -> QFileDialog:
        dialog = QFileDialog(self, "Save the file", str(Path.home() / _filename(message)))
        dialog.setObjectName("saveMediaDialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        media_id = str(message.content["id"])
        dialog.fileSelected.connect(lambda path: self._download(media_id, Path(path), None))
        dialog.open()
        return dialog

    def _download(self, media_id: str, target: Path, then: Any) -> None:
        client = self.session.client

        def fetch() -> Path:
            content = client.media(media_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            return target

        def saved(path: Path) -> None:
            self._show_status(f"Saved to {path}", error=False)
            if then is not None:
                then()

        self.session.tasks.run(
            fetch, saved, lambda error: self._show_status(f"Could not get the file: {error}"), owner=self
        )

    # composing

    def _draft_changed(self, text: str) -> None:
        if self.current is not None:
            self.session.drafts.put(self.current.key, text)

    def _typing(self) -> None:
        conversation = self.current
        if conversation is None or not self.session.may(MARK_READ):
            return
        now = time.monotonic()
        if now - self._last_typing.get(conversation.key, -TYPING_EVERY) < TYPING_EVERY:
            return
        self._last_typing[conversation.key] = now
        number, customer = conversation.key
        self.session.tasks.run(
            lambda: self.session.client.mark_read(number, customer, typing=True),
            lambda _: None,
            lambda _: None,
            owner=self,
        )

    def send_text(self, text: str, reply_to: str) -> None:
        self._send({"type": "text", "text": {"body": text}}, reply_to)

    def send_attachment(self, attachment: Attachment, caption: str, reply_to: str) -> None:
        conversation = self.current
        if conversation is None:
            return
        client = self.session.client
        number, customer = conversation.key

        def upload_and_send() -> Message:
            uploaded = client.upload(attachment.path.name, attachment.path.read_bytes(), attachment.mime_type)
            media: dict[str, Any] = {"id": uploaded.id}
            if caption and attachment.kind in ("image", "video", "document"):
                media["caption"] = caption
            if attachment.kind == "document":
                media["filename"] = attachment.path.name
            return client.send(number, _payload(customer, {"type": attachment.kind, attachment.kind: media}, reply_to))

        self._submit(conversation.key, upload_and_send)

    def choose_template(self) -> None:
        self.session.tasks.run(
            self.session.client.templates,
            self._show_templates,
            lambda error: self.composer.show_error(f"Could not load templates: {error}"),
            owner=self,
        )

    def _show_templates(self, templates: list[dict[str, Any]]) -> None:
        dialog = TemplateDialog(approved(templates), self)
        dialog.accepted.connect(lambda: self._send_template(dialog))
        dialog.open()

    def _send_template(self, dialog: TemplateDialog) -> None:
        send = dialog.send()
        if send is not None:
            self._send({"type": "template", "template": template_payload(send)}, "")

    def _send(self, body: dict[str, Any], reply_to: str) -> None:
        conversation = self.current
        if conversation is None:
            return
        number, customer = conversation.key
        client = self.session.client
        self._submit(conversation.key, lambda: client.send(number, _payload(customer, body, reply_to)))

    def _submit(self, key: tuple[str, str], work: Any) -> None:
        if self._sending:
            return
        self._sending = True
        self.composer.send_button.setEnabled(False)

        def done(message: Message) -> None:
            self._sending = False
            if self.current is not None and self.current.key == key:
                self.composer.sent()
            else:
                self.session.drafts.put(key, "")
            self.messages.apply(message)
            self.conversations.apply_message(message, counted_unread=True)

        def failed(error: ClientError) -> None:
            self._sending = False
            self.composer.show_error(str(error))
            self.composer.edit.textChanged.emit()

        self.session.tasks.run(work, done, failed, owner=self)


def _payload(customer_id: str, body: dict[str, Any], reply_to: str) -> dict[str, Any]:
    context = {"context": {"message_id": reply_to}} if reply_to else {}
    return {"to": customer_id, **body, **context}


def _summary(message: Message) -> str:
    who = "your message" if message.direction == "outbound" else (message.customer_name or "the customer")
    return f"{who}: {message_preview(message)}"


def _filename(message: Message) -> str:
    name = message.content.get("filename")
    if isinstance(name, str) and name:
        return Path(name).name
    mime = str(message.content.get("mime_type", ""))
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}.get(
        mime, ""
    )
    return f"{message.type}-{message.content.get('id', 'media')}{extension}"
