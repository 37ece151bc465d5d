"""Choosing an approved template, filling its parameters and seeing what the customer will read.

Which parameters a template takes, whether a send fits it and how it renders are domain rules
(domain.template_parameters); the form asks them and shows the answers as the agent types.
"""

from __future__ import annotations

from typing import Any

import msgspec
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from domain.content import Template, TemplateComponentParameters, TemplateLanguage, TemplateParameter
from domain.errors import DomainError
from domain.template_parameters import check_send_parameters, expected_parameters, render_preview
from domain.templates import MessageTemplate, TemplateStatus, brace


def approved(templates: list[dict[str, Any]]) -> list[MessageTemplate]:
    """The API's template views as the domain's templates; only APPROVED ones can be sent."""
    readable = []
    for view in templates:
        try:
            template = msgspec.convert(view, MessageTemplate)
        except msgspec.ValidationError:
            continue
        if template.status is TemplateStatus.APPROVED:
            readable.append(template)
    return readable


def template_payload(send: Template) -> dict[str, Any]:
    """The Cloud API's `template` object of a send."""
    payload: dict[str, Any] = msgspec.to_builtins(send)
    payload.pop("kind", None)
    return payload


class TemplateDialog(QDialog):
    def __init__(self, templates: list[MessageTemplate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateDialog")
        self.setWindowTitle("Send a template")
        self.setMinimumWidth(460)
        self._templates = templates
        self._fields: list[tuple[str, str, int | None, QLineEdit]] = []
        self.picker = QComboBox()
        self.picker.setObjectName("templatePicker")
        for template in templates:
            self.picker.addItem(f"{template.name} ({template.language}) · {template.category.lower()}")
        self.picker.currentIndexChanged.connect(self._build_form)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.preview = QLabel()
        self.preview.setObjectName("templatePreview")
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("background: #d9fdd3; padding: 8px; border-radius: 6px;")
        self.error = QLabel()
        self.error.setObjectName("templateError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton("Send template", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("sendTemplateButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not templates:
            layout.addWidget(QLabel("No approved template: create one and wait for Meta's approval."))
        layout.addWidget(self.picker)
        layout.addWidget(self.form_host)
        layout.addWidget(QLabel("Preview"))
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._build_form()

    @property
    def template(self) -> MessageTemplate | None:
        index = self.picker.currentIndex()
        return self._templates[index] if 0 <= index < len(self._templates) else None

    def fields(self) -> list[QLineEdit]:
        return [field for *_, field in self._fields]

    def _build_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self._fields = []
        template = self.template
        if template is None:
            self._refresh()
            return
        expected = expected_parameters(template)
        for component, names in (("header", expected.header_text), ("body", expected.body)):
            for name in names:
                self._add_field(component, name, None, f"{component.title()} {brace(name)}")
        for index in sorted(expected.url_suffix_buttons):
            self._add_field("button", "", index, f"Button {index + 1} URL suffix")
        if expected.header_media:
            self.form.addRow(QLabel(f"This template's header is {expected.header_media}: send it from the API."))
        self._refresh()

    def _add_field(self, component: str, name: str, index: int | None, label: str) -> None:
        field = QLineEdit()
        field.setObjectName(f"parameter-{component}-{name or index}")
        field.textChanged.connect(self._refresh)
        self.form.addRow(label, field)
        self._fields.append((component, name, index, field))

    def send(self, placeholders: bool = False) -> Template | None:
        """The send as filled in; with `placeholders`, an empty field reads as its `{{name}}`, for the preview."""
        template = self.template
        if template is None:
            return None
        named = template.parameter_format == "named"
        groups: dict[tuple[str, int | None], list[TemplateParameter]] = {}
        for component, name, index, field in self._fields:
            text = field.text() or (brace(name) if placeholders and name else "")
            parameter = TemplateParameter(type="text", text=text, parameter_name=name if named else None)
            groups.setdefault((component, index), []).append(parameter)
        components = [
            TemplateComponentParameters(
                type="button" if component == "button" else component,  # type: ignore[arg-type]
                parameters=parameters,
                sub_type="url" if component == "button" else None,
                index=index,
            )
            for (component, index), parameters in groups.items()
        ]
        return Template(name=template.name, language=TemplateLanguage(code=template.language), components=components)

    def _refresh(self) -> None:
        template, send, preview = self.template, self.send(), self.send(placeholders=True)
        if template is None or send is None or preview is None:
            self.preview.setText("")
            self.send_button.setEnabled(False)
            return
        self.preview.setText(render_preview(template, preview))
        empty = [
            label
            for component, name, index, field in self._fields
            if not field.text().strip()
            for label in [brace(name) if name else f"button {(index or 0) + 1}"]
        ]
        try:
            if empty:
                raise DomainError(f"fill in {', '.join(empty)}")
            check_send_parameters(template, send)
        except DomainError as refusal:
            self.error.setText(str(refusal))
            self.send_button.setEnabled(False)
            return
        self.error.setText("")
        self.send_button.setEnabled(True)
