"""The inbox's list of conversations: a lazily paged Qt model over `GET /v1/conversations`, and its painter.

Pages are fetched by cursor as the view scrolls near the end (Qt's canFetchMore/fetchMore), latest
activity first. Live events update a row in place and move it to the top. A search or a number
filter is a fresh listing from the server, paged the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.client import ClientError, Conversation, Message, Page
from desktop.presentation import after_inbound, after_outbound, conversation_from, window_badge
from desktop.session import Session

PAGE = 50
ConversationRole = Qt.ItemDataRole.UserRole + 1
HandleRole = Qt.ItemDataRole.UserRole + 2
PreviewRole = Qt.ItemDataRole.UserRole + 3
UnreadRole = Qt.ItemDataRole.UserRole + 4
WindowRole = Qt.ItemDataRole.UserRole + 5
MatchRole = Qt.ItemDataRole.UserRole + 6

AnyIndex = QModelIndex | QPersistentModelIndex


class ConversationListModel(QAbstractListModel):
    loaded = Signal()
    """A page arrived (the first one after a reset included)."""
    failed = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._rows: list[Conversation] = []
        self._cursor: str | None = None
        self._exhausted = False
        self._fetching = False
        self._generation = 0
        self._pending: list[tuple[Message, bool]] = []
        self.query = ""
        self.phone_number_id: str | None = None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == ConversationRole:
            return row
        if role == HandleRole:
            return row.handle
        if role == PreviewRole:
            return row.last_message_preview or ""
        if role == UnreadRole:
            return row.unread_count
        if role == WindowRole:
            return window_badge(row, datetime.now(UTC))
        if role == MatchRole:
            return row.match or ""
        return None

    def conversation(self, row: int) -> Conversation:
        return self._rows[row]

    def row_of(self, key: tuple[str, str]) -> int | None:
        for row, conversation in enumerate(self._rows):
            if conversation.key == key:
                return row
        return None

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, cursor, query, number = self._generation, self._cursor, self.query, self.phone_number_id
        client = self._session.client
        self._session.tasks.run(
            lambda: client.conversations(cursor=cursor, limit=PAGE, query=query, phone_number_id=number),
            lambda page: self._arrived(generation, page),
            lambda error: self._refused(generation, error),
            owner=self,
        )

    def reload(
        self, query: str | None = None, phone_number_id: str | None = None, *, keep_filters: bool = False
    ) -> None:
        """From the first page again: after a reconnect, a stream.reset, a new search or number filter."""
        if not keep_filters:
            self.query = query or ""
            self.phone_number_id = phone_number_id
        self._generation += 1
        self._cursor, self._exhausted, self._fetching = None, False, False
        self._pending = []
        self.fetchMore()

    def _arrived(self, generation: int, page: Page[Conversation]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if self._cursor is None:
            self.beginResetModel()
            self._rows = list(page.data)
            self.endResetModel()
            self._apply_pending()
        else:
            known = {row.key for row in self._rows}
            fresh = [row for row in page.data if row.key not in known]
            if fresh:
                self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(fresh) - 1)
                self._rows.extend(fresh)
                self.endInsertRows()
        self._cursor = page.next_cursor
        self._exhausted = page.next_cursor is None
        self.loaded.emit()

    def _apply_pending(self) -> None:
        """Messages that came while the first page was on its way: those the page already counts are skipped."""
        pending, self._pending = self._pending, []
        for message, counted_unread in pending:
            row = self.row_of(message.conversation_key)
            if row is None or self._rows[row].last_activity_at < message.created_at:
                self.apply_message(message, counted_unread)

    def _refused(self, generation: int, error: ClientError) -> None:
        if generation == self._generation:
            self._fetching = False
            self.failed.emit(str(error))

    def apply_message(self, message: Message, counted_unread: bool) -> bool:
        """A live message: its conversation's row is updated and moves to the top; False if left alone.

        While a first page is on its way the message is left to it: the page was asked for after the
        stream (re)connected, so it already counts what the stream replays.
        """
        if self._fetching and self._cursor is None:
            self._pending.append((message, counted_unread))
            return False
        if self.phone_number_id not in (None, message.phone_number_id):
            return False
        row = self.row_of(message.conversation_key)
        if row is None:
            if self.query:
                return False  # a search lists what matched; a new customer shows once the search is cleared
            updated = conversation_from(message)
        else:
            current = self._rows[row]
            updated = (
                after_inbound(current, message) if message.direction == "inbound" else after_outbound(current, message)
            )
        if not counted_unread:
            updated = _read(updated)
        self._put_on_top(row, updated)
        return True

    def mark_read(self, key: tuple[str, str]) -> None:
        row = self.row_of(key)
        if row is not None and self._rows[row].unread_count:
            self._rows[row] = _read(self._rows[row])
            self.dataChanged.emit(self.index(row), self.index(row))

    def replace(self, conversation: Conversation) -> None:
        """The server's row (a mark-read answer); one read before a live message the list already shows is dropped."""
        row = self.row_of(conversation.key)
        if row is not None and conversation.last_activity_at >= self._rows[row].last_activity_at:
            self._rows[row] = conversation
            self.dataChanged.emit(self.index(row), self.index(row))

    def _put_on_top(self, row: int | None, conversation: Conversation) -> None:
        if row is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, conversation)
            self.endInsertRows()
            return
        if row > 0:
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), 0)
            self._rows.insert(0, self._rows.pop(row))
            self.endMoveRows()
        self._rows[0] = conversation
        self.dataChanged.emit(self.index(0), self.index(0))


def _read(conversation: Conversation) -> Conversation:
    return msgspec.structs.replace(conversation, unread_count=0)


class ConversationDelegate(QStyledItemDelegate):
    """Two lines per row: name and window badge, then handle and preview; the unread count in a green dot."""

    HEIGHT = 56

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(option.rect.width(), self.HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        painter.save()
        rect: QRect = option.rect
        state = option.state
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor("#d9fdd3"))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor("#f5f6f6"))
        inner = rect.adjusted(12, 6, -12, -6)
        unread = int(index.data(UnreadRole) or 0)
        badge = str(index.data(WindowRole) or "")
        title_font = QFont(painter.font())
        title_font.setBold(unread > 0)
        painter.setFont(title_font)
        painter.setPen(QColor("#111b21"))
        top = QRect(inner.left(), inner.top(), inner.width() - 110, inner.height() // 2)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(index.data()))
        small = QFont(painter.font())
        small.setBold(False)
        small.setPointSizeF(max(small.pointSizeF() - 1, 7))
        painter.setFont(small)
        painter.setPen(QColor("#c0392b") if badge == "template only" else QColor("#667781"))
        painter.drawText(
            QRect(inner.right() - 110, inner.top(), 110, inner.height() // 2),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            badge,
        )
        painter.setPen(QColor("#667781"))
        match = str(index.data(MatchRole) or "")
        second = f"{index.data(HandleRole)} · {match or index.data(PreviewRole)}"
        bottom = QRect(inner.left(), inner.center().y(), inner.width() - 36, inner.height() // 2)
        elided = painter.fontMetrics().elidedText(second, Qt.TextElideMode.ElideRight, bottom.width())
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        if unread:
            dot = QRect(inner.right() - 24, inner.center().y() + 2, 24, 18)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(QColor("#25d366"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(dot, 9, 9)
            painter.setPen(QColor("white"))
            painter.drawText(dot, Qt.AlignmentFlag.AlignCenter, str(unread))
        painter.restore()
