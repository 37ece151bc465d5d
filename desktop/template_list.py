"""The business's templates as a table model, and the filter the Templates screen puts in front of it.

Rows are the domain's MessageTemplate, one per (name, language) as Meta keys them. The list is
fetched once and then kept current by `template.updated` events, so a review or a quality change
from Meta's webhooks shows without a reload.
"""

from __future__ import annotations

from typing import Any

import msgspec
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from domain.templates import MessageTemplate, TemplateQuality, TemplateStatus

TemplateRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Name", "Language", "Category", "Status", "Quality")
STATUS, QUALITY = 3, 4
ANY = ""
"""A filter's value that lets every row through."""

_QUALITY_COLOURS = {TemplateQuality.GREEN: "#1f8a3b", TemplateQuality.YELLOW: "#b7791f", TemplateQuality.RED: "#c0392b"}
_STATUS_COLOURS = {
    TemplateStatus.APPROVED: "#1f8a3b",
    TemplateStatus.REJECTED: "#c0392b",
    TemplateStatus.PAUSED: "#b7791f",
    TemplateStatus.DISABLED: "#c0392b",
}

Index = QModelIndex | QPersistentModelIndex


def read_template(view: dict[str, Any]) -> MessageTemplate | None:
    """A template view (API answer or event) as the domain's template; None for a shape this desktop cannot read."""
    try:
        return msgspec.convert(view, MessageTemplate)
    except msgspec.ValidationError:
        return None


def overlay(listed: list[MessageTemplate], changes: list[MessageTemplate]) -> list[MessageTemplate]:
    """A list read from the API with the live changes that came after it was asked for, in their order."""
    rows = {(t.name, t.language): t for t in listed}
    for change in changes:
        rows[(change.name, change.language)] = change
    return list(rows.values())


def status_text(template: MessageTemplate) -> str:
    """The status, with Meta's reason when it gave one."""
    if template.rejected_reason:
        return f"{template.status} — {template.rejected_reason}"
    return str(template.status)


class TemplateListModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[MessageTemplate] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        template = self._rows[index.row()]
        if role == TemplateRole:
            return template
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                template.name,
                template.language,
                str(template.category),
                status_text(template),
                str(template.quality),
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.column() == STATUS and template.status in _STATUS_COLOURS:
                return QColor(_STATUS_COLOURS[template.status])
            if index.column() == QUALITY and template.quality in _QUALITY_COLOURS:
                return QColor(_QUALITY_COLOURS[template.quality])
        return None

    def templates(self) -> list[MessageTemplate]:
        return list(self._rows)

    def replace(self, templates: list[MessageTemplate]) -> None:
        self.beginResetModel()
        self._rows = sorted(templates, key=lambda t: (t.name, t.language))
        self.endResetModel()

    def apply(self, template: MessageTemplate) -> None:
        """A created or changed template: its row is updated in place, or inserted in name order."""
        key = (template.name, template.language)
        for row, known in enumerate(self._rows):
            if (known.name, known.language) == key:
                self._rows[row] = template
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return
        row = sum(1 for known in self._rows if (known.name, known.language) < key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, template)
        self.endInsertRows()

    def remove(self, name: str, language: str | None = None) -> None:
        """Deleted at Meta: every language of the name, or only `language`."""
        for row in reversed(range(len(self._rows))):
            known = self._rows[row]
            if known.name == name and language in (None, known.language):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()


class TemplateFilter(QSortFilterProxyModel):
    """Text in the name, and one status and one category (ANY for all)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status = ANY
        self._category = ANY

    def set_filters(self, text: str | None = None, status: str | None = None, category: str | None = None) -> None:
        self.beginFilterChange()
        self._text = self._text if text is None else text.strip().lower()
        self._status = self._status if status is None else status
        self._category = self._category if category is None else category
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802 - Qt's name
        template = self.sourceModel().index(source_row, 0, source_parent).data(TemplateRole)
        if not isinstance(template, MessageTemplate):
            return False
        return (
            self._text in template.name.lower()
            and self._status in (ANY, template.status)
            and self._category in (ANY, template.category)
        )
