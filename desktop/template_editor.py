"""Creating a template: every component Meta allows, checked by the domain as you type, previewed as a bubble.

The form builds the domain's MessageTemplate on every keystroke and asks `validate_template` about it,
so the message under the form is the one the server (and Meta) would answer, before anything is sent.
Each placeholder typed into the header or body grows an example field: Meta reviews with examples.
"""

from __future__ import annotations

from typing import Any, Literal, cast

import msgspec
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from domain.errors import DomainError
from domain.template_parameters import render_preview
from domain.templates import (
    MessageTemplate,
    NamedExample,
    TemplateButton,
    TemplateCategory,
    TemplateComponent,
    TemplateExample,
    brace,
    placeholders,
    validate_template,
)

NO_HEADER = "None"
HEADER_FORMATS = (NO_HEADER, "TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
BUTTON_TYPES = ("QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE")
_VALUE_HINTS = {
    "QUICK_REPLY": "",
    "URL": "https://example.com/track/{{1}}",
    "PHONE_NUMBER": "+15550001234",
    "COPY_CODE": "example code, e.g. SAVE20",
}
ButtonType = Literal["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "FLOW", "OTP"]
HeaderFormat = Literal["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"]


class ButtonRow(QWidget):
    """One button: its label and, by type, its URL (with an example suffix), phone number or example code."""

    changed = Signal()
    removed = Signal(object)

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"button-{kind}")
        self.label = QLineEdit()
        self.label.setObjectName("buttonText")
        self.label.setPlaceholderText("Button text")
        self.value = QLineEdit()
        self.value.setObjectName("buttonValue")
        self.value.setPlaceholderText(_VALUE_HINTS[kind])
        self.value.setVisible(kind != "QUICK_REPLY")
        self.example = QLineEdit()
        self.example.setObjectName("buttonExample")
        self.example.setPlaceholderText("Example URL with the suffix filled in")
        self.example.setVisible(kind == "URL")
        remove = QPushButton("✕")
        remove.setObjectName("removeButton")
        remove.setToolTip("Remove this button")
        remove.clicked.connect(lambda: self.removed.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(kind.replace("_", " ").lower()))
        for field in (self.label, self.value, self.example):
            layout.addWidget(field, 1)
            field.textChanged.connect(self.changed)
        layout.addWidget(remove)
        if kind == "COPY_CODE":
            self.label.hide()

    def button(self) -> TemplateButton:
        text = self.label.text() or None
        value = self.value.text().strip()
        kind = cast(ButtonType, self.kind)
        if self.kind == "URL":
            example = self.example.text().strip()
            return TemplateButton(type=kind, text=text, url=value or None, example=[example] if example else None)
        if self.kind == "PHONE_NUMBER":
            return TemplateButton(type=kind, text=text, phone_number=value or None)
        if self.kind == "COPY_CODE":
            return TemplateButton(type=kind, example=[value] if value else None)
        return TemplateButton(type=kind, text=text)


class TemplateEditor(QDialog):
    """Emits `create_requested` with Meta's creation body once the domain accepts the template."""

    create_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateEditor")
        self.setWindowTitle("New template")
        self.resize(860, 640)
        self.name = QLineEdit()
        self.name.setObjectName("templateName")
        self.name.setPlaceholderText("order_update")
        self.language = QLineEdit("en_US")
        self.language.setObjectName("templateLanguage")
        self.category = QComboBox()
        self.category.setObjectName("templateCategory")
        self.category.addItems([str(category) for category in TemplateCategory])
        self.category.setCurrentText(TemplateCategory.UTILITY)
        self.parameter_format = QComboBox()
        self.parameter_format.setObjectName("parameterFormat")
        self.parameter_format.addItems(["positional", "named"])
        self.header_format = QComboBox()
        self.header_format.setObjectName("headerFormat")
        self.header_format.addItems(HEADER_FORMATS)
        self.header_text = QLineEdit()
        self.header_text.setObjectName("headerText")
        self.header_handle = QLineEdit()
        self.header_handle.setObjectName("headerHandle")
        self.header_handle.setPlaceholderText("Example media handle from Meta's resumable upload (optional here)")
        self.body = QPlainTextEdit()
        self.body.setObjectName("bodyText")
        self.body.setPlaceholderText("Hi {{1}}, your order {{2}} has shipped.")
        self.body.setFixedHeight(110)
        self.footer = QLineEdit()
        self.footer.setObjectName("footerText")
        self.examples_box = QGroupBox("Examples Meta reviews the template with")
        self.examples = QFormLayout(self.examples_box)
        self._example_fields: dict[tuple[str, str], QLineEdit] = {}
        self.buttons_box = QGroupBox("Buttons")
        self.button_rows: list[ButtonRow] = []
        self._buttons_layout = QVBoxLayout(self.buttons_box)
        add_row = QHBoxLayout()
        self.button_kind = QComboBox()
        self.button_kind.setObjectName("buttonKind")
        self.button_kind.addItems(BUTTON_TYPES)
        add = QPushButton("Add button")
        add.setObjectName("addButton")
        add.clicked.connect(lambda: self.add_button(self.button_kind.currentText()))
        add_row.addWidget(self.button_kind)
        add_row.addWidget(add)
        add_row.addStretch(1)
        self._buttons_layout.addLayout(add_row)
        self.error = QLabel()
        self.error.setObjectName("templateEditorError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        self.preview = QLabel()
        self.preview.setObjectName("templateEditorPreview")
        self.preview.setWordWrap(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setMinimumWidth(260)
        self.preview.setStyleSheet(
            "background: #d9fdd3; color: #111b21; padding: 10px; border-radius: 8px; font-size: 13px;"
        )
        self.dialog_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.dialog_buttons.addButton(
            "Submit to Meta for review", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setObjectName("createTemplateButton")
        self.dialog_buttons.accepted.connect(self._submit)
        self.dialog_buttons.rejected.connect(self.reject)
        self._lay_out()
        for field in (self.name, self.language, self.header_text, self.header_handle, self.footer):
            field.textChanged.connect(self.refresh)
        self.body.textChanged.connect(self.refresh)
        for combo in (self.category, self.parameter_format, self.header_format):
            combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Language", self.language)
        form.addRow("Category", self.category)
        form.addRow("Parameters", self.parameter_format)
        form.addRow("Header", self.header_format)
        form.addRow("Header text", self.header_text)
        form.addRow("Header example", self.header_handle)
        form.addRow("Body", self.body)
        form.addRow("Footer", self.footer)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addLayout(form)
        column.addWidget(self.examples_box)
        column.addWidget(self.buttons_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        right = QVBoxLayout()
        right.addWidget(QLabel("Preview"))
        right.addWidget(self.preview)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(scroll, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.dialog_buttons)

    def add_button(self, kind: str) -> ButtonRow:
        row = ButtonRow(kind)
        row.changed.connect(self.refresh)
        row.removed.connect(self._remove_button)
        self.button_rows.append(row)
        self._buttons_layout.insertWidget(len(self.button_rows) - 1, row)
        self.refresh()
        return row

    def _remove_button(self, row: ButtonRow) -> None:
        self.button_rows.remove(row)
        row.deleteLater()
        self.refresh()

    def example_field(self, component: str, name: str) -> QLineEdit:
        return self._example_fields[(component, name)]

    def template(self) -> MessageTemplate:
        """The form as the domain's template (not yet validated)."""
        named = self.parameter_format.currentText() == "named"
        components: list[TemplateComponent] = []
        header_format = self.header_format.currentText()
        if header_format != NO_HEADER:
            components.append(self._header(cast(HeaderFormat, header_format), named))
        body_examples = self._examples("BODY")
        components.append(
            TemplateComponent(
                type="BODY",
                text=self.body.toPlainText(),
                example=(
                    TemplateExample(
                        body_text_named_params=[NamedExample(param_name=n, example=e) for n, e in body_examples]
                    )
                    if named
                    else TemplateExample(body_text=[[example for _, example in body_examples]])
                )
                if body_examples
                else None,
            )
        )
        if self.footer.text():
            components.append(TemplateComponent(type="FOOTER", text=self.footer.text()))
        if self.button_rows:
            components.append(TemplateComponent(type="BUTTONS", buttons=[row.button() for row in self.button_rows]))
        return MessageTemplate(
            name=self.name.text().strip(),
            language=self.language.text().strip(),
            category=TemplateCategory(self.category.currentText()),
            components=components,
            parameter_format="named" if named else "positional",
        )

    def _header(self, header_format: HeaderFormat, named: bool) -> TemplateComponent:
        if header_format != "TEXT":
            handle = self.header_handle.text().strip()
            return TemplateComponent(
                type="HEADER", format=header_format, example=TemplateExample(header_handle=[handle]) if handle else None
            )
        examples = self._examples("HEADER")
        example = None
        if examples and named:
            example = TemplateExample(
                header_text_named_params=[NamedExample(param_name=n, example=e) for n, e in examples]
            )
        elif examples:
            example = TemplateExample(header_text=[e for _, e in examples])
        return TemplateComponent(type="HEADER", format="TEXT", text=self.header_text.text(), example=example)

    def _examples(self, component: str) -> list[tuple[str, str]]:
        """(placeholder, example) in order of appearance, for the examples that are filled in."""
        return [
            (name, field.text())
            for (kind, name), field in self._example_fields.items()
            if kind == component and field.text()
        ]

    def creation_body(self) -> dict[str, Any]:
        """Meta's creation body, as POST /v1/templates takes it."""
        body: dict[str, Any] = msgspec.to_builtins(self.template())
        for given_by_meta in ("status", "quality"):
            body.pop(given_by_meta, None)
        return body

    def refresh(self) -> None:
        self._sync_example_fields()
        header_format = self.header_format.currentText()
        self.header_text.setEnabled(header_format == "TEXT")
        self.header_handle.setEnabled(header_format not in (NO_HEADER, "TEXT"))
        template = self.template()
        self.preview.setText(render_preview(template))
        try:
            validate_template(template)
        except DomainError as refusal:
            self.show_error(str(refusal))
            return
        self.show_error("")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.create_button.setEnabled(not message)

    def _sync_example_fields(self) -> None:
        """One example field per distinct placeholder of the header and the body; typed values are kept."""
        wanted = [("HEADER", name) for name in self._distinct(self.header_text.text())] * (
            self.header_format.currentText() == "TEXT"
        ) + [("BODY", name) for name in self._distinct(self.body.toPlainText())]
        if wanted == list(self._example_fields):
            return
        kept = {key: field.text() for key, field in self._example_fields.items()}
        while self.examples.rowCount():
            self.examples.removeRow(0)
        self._example_fields = {}
        for component, name in wanted:
            field = QLineEdit(kept.get((component, name), ""))
            field.setObjectName(f"example-{component.lower()}-{name}")
            field.textChanged.connect(self.refresh)
            self.examples.addRow(f"{component.title()} {brace(name)}", field)
            self._example_fields[(component, name)] = field
        self.examples_box.setVisible(bool(wanted))

    @staticmethod
    def _distinct(text: str) -> list[str]:
        return list(dict.fromkeys(placeholders(text)))

    def _submit(self) -> None:
        if self.create_button.isEnabled():
            self.create_button.setEnabled(False)
            self.create_requested.emit(self.creation_body())
