"""One conversation's messages: a Qt model over the newest-first history pages, and the bubble painter.

The model holds messages oldest first, as they read; opening a thread loads the newest page and
scrolling to the top loads older ones by cursor. Reactions are not rows: they are shown on the
message they react to. Images are fetched from wahub's media store on a worker thread the first
time a bubble needs them, then kept as thumbnails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QMouseEvent, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from desktop.client import ClientError, Message, Page
from desktop.presentation import (
    MEDIA_TYPES,
    TICKS,
    bubble_text,
    day_label,
    failure_text,
    local_day,
    local_time,
    media_label,
    message_preview,
)
from desktop.session import Session

PAGE = 50
THUMBNAIL = 240
MessageRole = Qt.ItemDataRole.UserRole + 1
DayRole = Qt.ItemDataRole.UserRole + 2
QuoteRole = Qt.ItemDataRole.UserRole + 3
ReactionsRole = Qt.ItemDataRole.UserRole + 4
ThumbnailRole = Qt.ItemDataRole.UserRole + 5
StatusRole = Qt.ItemDataRole.UserRole + 6
FailureRole = Qt.ItemDataRole.UserRole + 7

AnyIndex = QModelIndex | QPersistentModelIndex


class MessageThreadModel(QAbstractListModel):
    loaded = Signal(int)
    """Rows added by a page: the number added at the top (older messages) or the first page's size."""
    failed = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._rows: list[Message] = []
        self._reactions: dict[str, dict[str, str]] = {}
        self._by_wamid: dict[str, Message] = {}
        self._thumbnails: dict[str, QImage | None] = {}
        self._cursor: str | None = None
        self._fetching = False
        self._generation = 0
        self.key: tuple[str, str] | None = None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        message = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return bubble_text(message) or media_label(message)
        if role == MessageRole:
            return message
        if role == StatusRole:
            return message.status
        if role == FailureRole:
            return failure_text(message) if message.status == "failed" else ""
        if role == DayRole:
            return self._day_separator(index.row())
        if role == QuoteRole:
            return self._quote(message)
        if role == ReactionsRole:
            return " ".join(self._reactions.get(message.wamid or "", {}).values())
        if role == ThumbnailRole:
            return self._thumbnail(message)
        return None

    def message(self, row: int) -> Message:
        return self._rows[row]

    def row_of(self, message_id: str) -> int | None:
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].id == message_id:
                return row
        return None

    def open(self, key: tuple[str, str] | None) -> None:
        self._generation += 1
        self.beginResetModel()
        self.key = key
        self._rows, self._reactions, self._by_wamid = [], {}, {}
        self._cursor, self._fetching = None, False
        self.endResetModel()
        if key is not None:
            self._fetch(first=True)

    def reload(self) -> None:
        self.open(self.key)

    @property
    def loading(self) -> bool:
        """The newest page is on its way: it will show whatever happened before it was asked for."""
        return self._fetching and not self._rows

    def has_older(self) -> bool:
        return self._cursor is not None and not self._fetching

    def fetch_older(self) -> None:
        if self.has_older():
            self._fetch(first=False)

    def _fetch(self, first: bool) -> None:
        assert self.key is not None
        self._fetching = True
        generation, cursor, (number, customer) = self._generation, self._cursor, self.key
        client = self._session.client
        self._session.tasks.run(
            lambda: client.history(number, customer, cursor=None if first else cursor, limit=PAGE),
            lambda page: self._arrived(generation, page),
            lambda error: self._refused(generation, error),
            owner=self,
        )

    def _arrived(self, generation: int, page: Page[Message]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._cursor = page.next_cursor
        older = [m for m in reversed(page.data) if self._takes(m)]
        known = {m.id for m in self._rows}
        older = [m for m in older if m.id not in known]
        if older:
            self.beginInsertRows(QModelIndex(), 0, len(older) - 1)
            self._rows[:0] = older
            self.endInsertRows()
            self._index(older)
            if len(older) < len(self._rows):  # the row below them may lose its day separator
                self.dataChanged.emit(self.index(len(older)), self.index(len(older)))
            self._quotes_resolved({m.wamid for m in older if m.wamid})
        self.loaded.emit(len(older))

    def _quotes_resolved(self, arrived: set[str]) -> None:
        """Rows quoting a message that just arrived now show its quote: their bubbles change, so they are announced."""
        for row, message in enumerate(self._rows):
            if str((message.context or {}).get("message_id", "")) in arrived:
                self.dataChanged.emit(self.index(row), self.index(row))

    def _refused(self, generation: int, error: ClientError) -> None:
        if generation == self._generation:
            self._fetching = False
            self.failed.emit(str(error))

    def apply(self, message: Message) -> bool:
        """A live message or status change; True when it is a message the thread did not show yet."""
        if message.conversation_key != self.key or not self._takes(message):
            return False
        row = self.row_of(message.id)
        if row is None:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(message)
            self.endInsertRows()
        else:
            self._rows[row] = message
            self.dataChanged.emit(self.index(row), self.index(row))
        self._index([message])
        if row is None and message.wamid:
            self._quotes_resolved({message.wamid})
        return row is None

    def _takes(self, message: Message) -> bool:
        """Reactions become a mark on their message rather than a row of their own."""
        if message.type != "reaction":
            return True
        target = str(message.content.get("message_id", ""))
        emoji = str(message.content.get("emoji", ""))
        marks = self._reactions.setdefault(target, {})
        if emoji:
            marks[message.direction] = emoji
        else:
            marks.pop(message.direction, None)
        if target in self._by_wamid:
            row = self.row_of(self._by_wamid[target].id)
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row))
        return False

    def _index(self, messages: list[Message]) -> None:
        for message in messages:
            if message.wamid:
                self._by_wamid[message.wamid] = message

    def _day_separator(self, row: int) -> str:
        day = local_day(self._rows[row].created_at)
        if row > 0 and local_day(self._rows[row - 1].created_at) == day:
            return ""
        return day_label(day, date.today())

    def _quote(self, message: Message) -> str:
        quoted = (message.context or {}).get("message_id")
        if not quoted:
            return ""
        original = self._by_wamid.get(str(quoted))
        if original is None:
            return "↪ an earlier message"
        who = "You" if original.direction == "outbound" else (original.customer_name or "Customer")
        return f"↪ {who}: {message_preview(original)}"

    def _thumbnail(self, message: Message) -> QImage | None:
        media_id = message.content.get("id")
        if message.type not in ("image", "sticker") or not isinstance(media_id, str):
            return None
        if media_id in self._thumbnails:
            return self._thumbnails[media_id]
        self._thumbnails[media_id] = None
        client = self._session.client
        self._session.tasks.run(
            lambda: client.media(media_id),
            lambda content: self._thumbnail_arrived(media_id, content),
            lambda error: None,
            owner=self,
        )
        return None

    def _thumbnail_arrived(self, media_id: str, content: bytes) -> None:
        image = QImage.fromData(content)
        if image.isNull():
            return
        if image.width() > THUMBNAIL or image.height() > THUMBNAIL:
            image = image.scaled(
                THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        self._thumbnails[media_id] = image
        for row, message in enumerate(self._rows):
            if message.content.get("id") == media_id:
                self.dataChanged.emit(self.index(row), self.index(row))


@dataclass(frozen=True)
class Bubble:
    """Where each part of one row is drawn; computed once for sizeHint and again for paint."""

    height: int
    day: QRect
    bubble: QRect
    quote: QRect
    image: QRect
    chip: QRect
    text: QRect
    failure: QRect
    retry: QRect
    footer: QRect
    reactions: QRect


PAD = 8
GAP = 4
INBOUND = QColor("#ffffff")
OUTBOUND = QColor("#d9fdd3")
FAILED = QColor("#fde2e1")
BACKDROP = QColor("#efeae2")


class BubbleDelegate(QStyledItemDelegate):
    retry_clicked = Signal(str)
    media_clicked = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._heights: dict[str, dict[int, int]] = {}
        """Each message's laid-out height per view width. QListView asks every row's size whenever rows are
        added (a page of older messages above thousands), so a known row must cost one lookup, not a layout."""

    def watch(self, model: MessageThreadModel) -> None:
        """A row the model says changed (status, reactions, thumbnail, quote, day separator) is measured again."""
        model.dataChanged.connect(lambda first, last, *_: self._forget(model, first.row(), last.row()))
        model.modelReset.connect(self._heights.clear)

    def _forget(self, model: MessageThreadModel, first: int, last: int) -> None:
        for row in range(first, last + 1):
            self._heights.pop(model.message(row).id, None)

    def _height(self, option: QStyleOptionViewItem, index: AnyIndex) -> int:
        message: Message = index.data(MessageRole)
        widths = self._heights.setdefault(message.id, {})
        width = option.rect.width()
        height = widths.get(width)
        if height is None:
            height = widths[width] = self.bubble(option, index).height
        return height

    def bubble(self, option: QStyleOptionViewItem, index: AnyIndex) -> Bubble:
        """Parts stacked top to bottom inside the bubble, each only as tall as it needs (0 when absent)."""
        message: Message = index.data(MessageRole)
        rect: QRect = option.rect
        metrics = QFontMetrics(option.font)
        line = metrics.height()
        inner = max(int(rect.width() * 0.68), 160) - 2 * PAD
        day = QRect(rect.left(), rect.top() + GAP, rect.width(), line + 2 * GAP if index.data(DayRole) else 0)
        quote_text = str(index.data(QuoteRole) or "")
        thumbnail: QImage | None = index.data(ThumbnailRole)
        image_size = thumbnail.size() if thumbnail is not None else QSize(THUMBNAIL, 160)
        if message.type not in ("image", "sticker"):
            image_size = QSize(0, 0)
        chip_text = f"▤ {media_label(message)}" if message.type in MEDIA_TYPES - {"image", "sticker"} else ""
        text = bubble_text(message)
        failed = message.status == "failed"
        failure = failure_text(message) if failed else ""
        reactions_text = str(index.data(ReactionsRole) or "")

        def wrapped(value: str) -> int:
            flags = int(Qt.TextFlag.TextWordWrap)
            return metrics.boundingRect(QRect(0, 0, inner, 100_000), flags, value).height() if value else 0

        heights = {
            "quote": line + GAP if quote_text else 0,
            "image": image_size.height(),
            "chip": line + 2 * GAP if chip_text else 0,
            "text": wrapped(text),
            "failure": wrapped(failure),
            "retry": line + GAP if failed else 0,
            "footer": line,
            "reactions": line if reactions_text else 0,
        }
        widths = [
            metrics.horizontalAdvance(text) + 2 if "\n" not in text else inner,
            metrics.horizontalAdvance(quote_text) + PAD if quote_text else 0,
            image_size.width(),
            metrics.horizontalAdvance(chip_text) + 2 * PAD if chip_text else 0,
            inner if failed else 0,
            metrics.horizontalAdvance("00:00 ✓✓") + PAD,
        ]
        width = min(max(widths), inner)
        left = rect.right() - width - 2 * PAD - 12 if message.direction == "outbound" else rect.left() + 12
        top = day.bottom() + 1 + GAP
        y = top + PAD
        parts: dict[str, QRect] = {}
        for name, height in heights.items():
            parts[name] = QRect(left + PAD, y, image_size.width() if name == "image" else width, height)
            y += height + (GAP if height else 0)
        parts["retry"].setWidth(metrics.horizontalAdvance("Retry") + 2 * PAD)
        bubble = QRect(left, top, width + 2 * PAD, y - GAP + PAD - top)
        return Bubble(
            height=bubble.bottom() - rect.top() + 1 + GAP, day=day, bubble=bubble, text=parts.pop("text"), **parts
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(option.rect.width(), self._height(option, index))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        message: Message = index.data(MessageRole)
        parts = self.bubble(option, index)
        painter.save()
        painter.setFont(option.font)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(option.rect, BACKDROP)
        day = str(index.data(DayRole) or "")
        if day:
            painter.setPen(QColor("#54656f"))
            painter.drawText(parts.day, Qt.AlignmentFlag.AlignCenter, day)
        failed = message.status == "failed"
        painter.setPen(QColor("#c0392b") if failed else Qt.PenStyle.NoPen)
        painter.setBrush(FAILED if failed else OUTBOUND if message.direction == "outbound" else INBOUND)
        painter.drawRoundedRect(parts.bubble, 8, 8)
        quote = str(index.data(QuoteRole) or "")
        if quote:
            painter.fillRect(parts.quote, QColor(0, 0, 0, 18))
            painter.setPen(QColor("#06cf9c"))
            elided = painter.fontMetrics().elidedText(quote, Qt.TextElideMode.ElideRight, parts.quote.width() - PAD)
            painter.drawText(parts.quote.adjusted(PAD // 2, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, elided)
        thumbnail: QImage | None = index.data(ThumbnailRole)
        if thumbnail is not None:
            painter.drawImage(parts.image.topLeft(), thumbnail)
        elif parts.image.height():
            painter.fillRect(parts.image, QColor("#dfe5e7"))
            painter.setPen(QColor("#54656f"))
            painter.drawText(parts.image, Qt.AlignmentFlag.AlignCenter, "image")
        if parts.chip.height():
            painter.setPen(QColor("#54656f"))
            painter.setBrush(QColor(0, 0, 0, 14))
            painter.drawRoundedRect(parts.chip, 6, 6)
            painter.drawText(
                parts.chip.adjusted(PAD, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, f"▤ {media_label(message)}"
            )
        painter.setPen(QColor("#111b21"))
        italic = message.type == "unsupported"
        if italic:
            font = QFont(painter.font())
            font.setItalic(True)
            painter.setFont(font)
        painter.drawText(parts.text, int(Qt.TextFlag.TextWordWrap), bubble_text(message))
        if italic:
            painter.setFont(option.font)
        if failed:
            painter.setPen(QColor("#c0392b"))
            painter.drawText(parts.failure, int(Qt.TextFlag.TextWordWrap), failure_text(message))
            painter.setBrush(QColor("#c0392b"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(parts.retry, 4, 4)
            painter.setPen(QColor("white"))
            painter.drawText(parts.retry, Qt.AlignmentFlag.AlignCenter, "Retry")
        footer = local_time(message.created_at)
        if message.direction == "outbound":
            footer += f" {TICKS.get(message.status, '')}"
        painter.setPen(QColor("#34b7f1") if message.status == "read" else QColor("#667781"))
        painter.drawText(parts.footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, footer)
        reactions = str(index.data(ReactionsRole) or "")
        if reactions:
            painter.setPen(QColor("#111b21"))
            painter.drawText(parts.reactions, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, reactions)
        painter.restore()

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: AnyIndex) -> bool:
        if event.type() != QEvent.Type.MouseButtonRelease or not isinstance(event, QMouseEvent):
            return False
        message: Message = index.data(MessageRole)
        parts = self.bubble(option, index)
        point: QPoint = event.position().toPoint()
        if message.status == "failed" and parts.retry.contains(point):
            self.retry_clicked.emit(message.id)
            return True
        if (parts.chip.height() and parts.chip.contains(point)) or (
            parts.image.height() and parts.image.contains(point)
        ):
            self.media_clicked.emit(index.row())
            return True
        return False
