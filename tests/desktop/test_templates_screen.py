"""The Templates screen driven by clicks and keys against a real `wahub serve` sandbox and its simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop.template_editor import TemplateEditor
from desktop.templates_screen import TemplatesScreen
from domain.errors import InvalidTemplate
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, validate_template
from tests.desktop.support import agent_key, button, dialog_named, open_screen, waits
from tests.e2e.support import ADMIN_KEY, WahubServer


def rows(screen: TemplatesScreen) -> list[tuple[str, ...]]:
    """Each row of the table as shown: name, language, category, status, quality."""
    model = screen.table.model()
    return [
        tuple(model.index(row, column).data() for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def statuses_of(screen: TemplatesScreen, name: str) -> list[str]:
    """Every status the table showed for `name`, in order, as its rows were inserted or changed."""
    seen: list[str] = []
    model = screen.templates

    def look(*_: object) -> None:
        for row in range(model.rowCount()):
            if model.index(row, 0).data() == name:
                status = model.index(row, 3).data()
                if not seen or seen[-1] != status:
                    seen.append(status)

    model.rowsInserted.connect(look)
    model.dataChanged.connect(look)
    model.modelReset.connect(look)
    return seen


def editor_of(qtbot: QtBot, screen: TemplatesScreen) -> TemplateEditor:
    qtbot.mouseClick(button(screen, "newTemplateButton"), Qt.MouseButton.LeftButton)
    waits(qtbot, lambda: dialog_named("templateEditor"))
    assert screen.editor is not None
    return screen.editor


def test_a_template_typed_into_the_form_previews_then_goes_pending_then_approved_live(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    screen = open_screen(qtbot, wahub, ADMIN_KEY, "templates")
    assert isinstance(screen, TemplatesScreen)
    waits(qtbot, lambda: [row[0] for row in rows(screen)] == ["hello_world"])
    seen = statuses_of(screen, "order_shipped")
    editor = editor_of(qtbot, screen)

    qtbot.keyClicks(editor.name, "order_shipped")
    editor.header_format.setCurrentText("TEXT")
    qtbot.keyClicks(editor.header_text, "Order {{1}}")
    qtbot.keyClicks(editor.body, "Hi {{1}}, your order ships {{2}}.")
    qtbot.keyClicks(editor.example_field("HEADER", "1"), "#4512")
    qtbot.keyClicks(editor.example_field("BODY", "1"), "Sheena")
    assert not editor.create_button.isEnabled()
    assert "example" in editor.error.text()
    qtbot.keyClicks(editor.example_field("BODY", "2"), "today")
    qtbot.keyClicks(editor.footer, "Reply STOP to opt out")
    editor.button_kind.setCurrentText("URL")
    qtbot.mouseClick(button(editor, "addButton"), Qt.MouseButton.LeftButton)
    url = editor.button_rows[0]
    qtbot.keyClicks(url.label, "Track it")
    qtbot.keyClicks(url.value, "https://shop.example/track/{{1}}")
    assert editor.error.text() == "button 0 (URL) url has a parameter but no example; Meta requires an example URL"
    qtbot.keyClicks(url.example, "https://shop.example/track/4512")
    editor.button_kind.setCurrentText("QUICK_REPLY")
    qtbot.mouseClick(button(editor, "addButton"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.button_rows[1].label, "Thanks!")

    assert editor.error.text() == ""
    assert editor.preview.text() == (
        "Order #4512\n\nHi Sheena, your order ships today.\n\nReply STOP to opt out\n\n[Track it]\n[Thanks!]"
    )
    qtbot.mouseClick(editor.create_button, Qt.MouseButton.LeftButton)

    waits(qtbot, lambda: not editor.isVisible())
    waits(qtbot, lambda: ("order_shipped", "en_US", "UTILITY", "APPROVED", "UNKNOWN") in rows(screen))
    assert seen == ["PENDING", "APPROVED"]
    stored = {t["name"]: t for t in wahub.api().get("/v1/templates").json()}
    assert [c["type"] for c in stored["order_shipped"]["components"]] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]


def test_an_invalid_template_shows_the_domain_s_message_and_nothing_is_sent(qtbot: QtBot, wahub: WahubServer) -> None:
    screen = open_screen(qtbot, wahub, ADMIN_KEY, "templates")
    assert isinstance(screen, TemplatesScreen)
    editor = editor_of(qtbot, screen)
    qtbot.keyClicks(editor.name, "welcome")
    qtbot.keyClicks(editor.body, "{{1}} welcome aboard")
    qtbot.keyClicks(editor.example_field("BODY", "1"), "Sheena")

    typed = MessageTemplate(
        name="welcome",
        language="en_US",
        category=TemplateCategory.UTILITY,
        components=[TemplateComponent(type="BODY", text="{{1}} welcome aboard")],
    )
    with pytest.raises(InvalidTemplate) as refusal:
        validate_template(typed)
    domain_says = str(refusal.value)
    assert editor.error.text() == domain_says
    assert "2388299" in domain_says
    assert not editor.create_button.isEnabled()
    qtbot.mouseClick(editor.create_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    assert "welcome" not in [t["name"] for t in wahub.api().get("/v1/templates").json()]


def test_meta_s_quality_rating_and_rejection_show_live_and_the_filters_narrow_the_list(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    api = wahub.api()
    body = {"name": "spring_sale", "language": "en", "category": "MARKETING"}
    created = api.post("/v1/templates", json=body | {"components": [{"type": "BODY", "text": "20% off today"}]})
    assert created.status_code == 201, created.text
    screen = open_screen(qtbot, wahub, ADMIN_KEY, "templates")
    assert isinstance(screen, TemplatesScreen)
    waits(qtbot, lambda: ("spring_sale", "en", "MARKETING", "APPROVED", "UNKNOWN") in rows(screen))
    template_id = created.json()["id"]

    rating = wahub.simulator().post(f"/_sim/templates/{template_id}/quality", json={"quality": "YELLOW"})
    assert rating.status_code == 200, rating.text
    waits(qtbot, lambda: ("spring_sale", "en", "MARKETING", "APPROVED", "YELLOW") in rows(screen))
    verdict = wahub.simulator().post(
        f"/_sim/templates/{template_id}/status", json={"status": "REJECTED", "reason": "PROMOTIONAL"}
    )
    assert verdict.status_code == 200, verdict.text

    waits(qtbot, lambda: ("spring_sale", "en", "MARKETING", "REJECTED — PROMOTIONAL", "YELLOW") in rows(screen))
    screen.status_filter.setCurrentIndex(screen.status_filter.findData("REJECTED"))
    assert [row[0] for row in rows(screen)] == ["spring_sale"]
    screen.status_filter.setCurrentIndex(0)
    screen.category_filter.setCurrentIndex(screen.category_filter.findData("UTILITY"))
    assert [row[0] for row in rows(screen)] == ["hello_world"]
    screen.category_filter.setCurrentIndex(0)
    qtbot.keyClicks(screen.search, "spring")
    assert [row[0] for row in rows(screen)] == ["spring_sale"]


def test_an_admin_syncs_and_deletes_but_an_agent_has_no_delete(qtbot: QtBot, wahub: WahubServer, home: Path) -> None:
    agent = open_screen(qtbot, wahub, agent_key(home), "templates")
    assert isinstance(agent, TemplatesScreen)
    waits(qtbot, lambda: [row[0] for row in rows(agent)] == ["hello_world"])
    assert agent.delete_button is None and agent.new_button is None and agent.sync_button is None
    assert agent.findChild(QPushButton, "deleteTemplateButton") is None

    admin = open_screen(qtbot, wahub, ADMIN_KEY, "templates")
    assert isinstance(admin, TemplatesScreen)
    waits(qtbot, lambda: [row[0] for row in rows(admin)] == ["hello_world"])
    sync = button(admin, "syncTemplatesButton")
    qtbot.mouseClick(sync, Qt.MouseButton.LeftButton)
    assert admin.progress.isVisible() and not sync.isEnabled()
    waits(qtbot, lambda: admin.message.text() == "Synced 1 templates from Meta.")
    assert not admin.progress.isVisible() and sync.isEnabled()

    delete = button(admin, "deleteTemplateButton")
    assert not delete.isEnabled()
    index: QModelIndex = admin.table.model().index(0, 0)
    qtbot.mouseClick(admin.table.viewport(), Qt.MouseButton.LeftButton, pos=admin.table.visualRect(index).center())
    assert delete.isEnabled()
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    confirm = admin.findChild(QMessageBox, "confirmDelete")
    assert confirm is not None
    waits(qtbot, confirm.isVisible)
    yes = confirm.button(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)

    waits(qtbot, lambda: rows(admin) == [])
    assert wahub.api().get("/v1/templates").json() == []
