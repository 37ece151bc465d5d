"""The Templates screen: the business's templates with their review status and quality, live.

Everyone may read the list; creating, syncing and deleting are offered only to a key whose role may
manage templates (GET /v1/me says which), so an agent never sees a Delete button that would be refused.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.client import ClientError
from desktop.events import StreamEvent
from desktop.session import Session
from desktop.tasks import Latest
from desktop.template_editor import TemplateEditor
from desktop.template_list import ANY, TemplateFilter, TemplateListModel, TemplateRole, overlay, read_template
from domain.templates import MessageTemplate, TemplateCategory, TemplateStatus

MANAGE_TEMPLATES = "create, delete and sync templates"
TEMPLATE_UPDATED = "template.updated"


class TemplatesScreen(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.setObjectName("templatesScreen")
        self.session = session
        self.manages = session.may(MANAGE_TEMPLATES)
        self.templates = TemplateListModel(self)
        self.filtered = TemplateFilter(self)
        self.filtered.setSourceModel(self.templates)
        self.table = QTableView()
        self.table.setObjectName("templateTable")
        self.table.setModel(self.filtered)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.search = QLineEdit()
        self.search.setObjectName("templateSearch")
        self.search.setPlaceholderText("Filter by name")
        self.search.textChanged.connect(lambda text: self.filtered.set_filters(text=text))
        self.status_filter = self._filter_combo("statusFilter", "Any status", [str(s) for s in TemplateStatus])
        self.status_filter.currentIndexChanged.connect(
            lambda _: self.filtered.set_filters(status=self.status_filter.currentData())
        )
        self.category_filter = self._filter_combo("categoryFilter", "Any category", [str(c) for c in TemplateCategory])
        self.category_filter.currentIndexChanged.connect(
            lambda _: self.filtered.set_filters(category=self.category_filter.currentData())
        )
        self.message = QLabel()
        self.message.setObjectName("templatesMessage")
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.editor: TemplateEditor | None = None
        self._listing = Latest(session.tasks, self)
        self._since_asked: list[MessageTemplate] = []
        """Live changes that came while the list was on its way, laid over it when it lands."""
        self._list_notice = False
        tools = QHBoxLayout()
        tools.addWidget(self.search, 2)
        tools.addWidget(self.status_filter)
        tools.addWidget(self.category_filter)
        tools.addStretch(1)
        self.new_button: QPushButton | None = None
        self.sync_button: QPushButton | None = None
        self.delete_button: QPushButton | None = None
        if self.manages:
            self.new_button = self._tool(tools, "newTemplateButton", "New template…", self.open_editor)
            self.sync_button = self._tool(tools, "syncTemplatesButton", "Sync with Meta", self.sync)
            self.delete_button = self._tool(tools, "deleteTemplateButton", "Delete…", self.confirm_delete)
            self.delete_button.setEnabled(False)
            self.table.selectionModel().selectionChanged.connect(
                lambda *_: self._button(self.delete_button).setEnabled(self.selected() is not None)
            )
        tools.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        session.event_received.connect(self._on_event)
        session.reload.connect(self.load)
        self.load()

    @staticmethod
    def _filter_combo(name: str, anything: str, values: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(anything, ANY)
        for value in values:
            combo.addItem(value.replace("_", " ").lower(), value)
        return combo

    def _tool(self, tools: QHBoxLayout, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _=False: slot())
        tools.addWidget(button)
        return button

    @staticmethod
    def _button(button: QPushButton | None) -> QPushButton:
        assert button is not None
        return button

    def load(self) -> None:
        """The list as wahub holds it, superseding a read still on its way.

        A webhook's change may land before a list that was read before it: every change that came
        after the list was asked for is laid over it, so the screen never goes back to a stale status.
        """
        self._since_asked = []
        self._listing.run(self.session.client.templates, self._listed, self._list_failed)

    def _listed(self, views: list[dict[str, Any]]) -> None:
        listed = [t for t in map(read_template, views) if t is not None]
        self.templates.replace(overlay(listed, self._since_asked))
        self._since_asked = []
        if self._list_notice or not self.templates.rowCount():
            self._notice("" if self.templates.rowCount() else "No template yet.", about_the_list=True)

    def _list_failed(self, error: ClientError) -> None:
        self._since_asked = []
        self._notice(str(error), about_the_list=True)

    def _notice(self, text: str, about_the_list: bool = False) -> None:
        """One line for the list's state (empty, unreadable) and the outcome of the last action."""
        self.message.setText(text)
        self._list_notice = about_the_list

    def _action_failed(self, error: ClientError) -> None:
        self._sync_done()
        self._notice(str(error))

    def _sync_done(self) -> None:
        self.progress.hide()
        if self.sync_button is not None:
            self.sync_button.setEnabled(True)

    def _on_event(self, event: StreamEvent) -> None:
        if event.type == TEMPLATE_UPDATED and isinstance(event.data, dict):
            template = read_template(event.data)
            if template is not None:
                self._changed(template)

    def _changed(self, template: MessageTemplate) -> None:
        self.templates.apply(template)
        if self._listing.in_flight:
            self._since_asked.append(template)

    def selected(self) -> MessageTemplate | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        template = rows[0].data(TemplateRole)
        return template if isinstance(template, MessageTemplate) else None

    def open_editor(self) -> TemplateEditor:
        self.editor = TemplateEditor(self)
        self.editor.create_requested.connect(self._create)
        self.editor.open()
        return self.editor

    def _create(self, body: dict[str, Any]) -> None:
        editor = self.editor

        def created(view: dict[str, Any]) -> None:
            template = read_template(view)
            known = {(t.name, t.language) for t in self.templates.templates()}
            if template is not None and (template.name, template.language) not in known:
                self._changed(template)  # the event stream, when first, is the newer news
            self._notice(f"{view['name']} ({view['language']}) submitted; Meta's review shows here.")
            if editor is not None:
                editor.accept()

        def refused(error: ClientError) -> None:
            if editor is not None:
                editor.show_error(str(error))

        self.session.tasks.run(lambda: self.session.client.create_template(body), created, refused, owner=self)

    def sync(self) -> None:
        """Meta's list mirrored into wahub, then the list read again (superseding any older read)."""
        sync_button = self._button(self.sync_button)
        sync_button.setEnabled(False)
        self.progress.show()
        self._notice("Reading the templates from Meta…")

        def synced(views: list[dict[str, Any]]) -> None:
            self._sync_done()
            self._notice(f"Synced {len(views)} templates from Meta.")
            self.load()

        self.session.tasks.run(self.session.client.sync_templates, synced, self._action_failed, owner=self)

    def confirm_delete(self) -> QMessageBox | None:
        template = self.selected()
        if template is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete template",
            f"Delete {template.name} ({template.language}) at Meta? A deleted name cannot be reused for 30 days.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmDelete")
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(lambda: self.delete(template))
        box.open()
        return box

    def delete(self, template: MessageTemplate) -> None:
        def deleted(_: int) -> None:
            self.templates.remove(template.name, template.language)
            self._notice(f"Deleted {template.name} ({template.language}).")
            self.load()

        self.session.tasks.run(
            lambda: self.session.client.delete_template(template.name, template.language),
            deleted,
            self._action_failed,
            owner=self,
        )
