"""The inbox driven as an agent would, against a real `wahub serve` sandbox and its simulator."""

from __future__ import annotations

import base64
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desktop.thread import FailureRole, StatusRole, ThumbnailRole
from tests.desktop.support import (
    button,
    click_at,
    dialog_named,
    inbox,
    listed,
    open_conversation,
    open_desktop,
    png,
    thread_messages,
    thread_texts,
    type_and_send,
    waits,
    window,
)
from tests.e2e.conftest import StartWahub
from tests.e2e.support import ADMIN_KEY, WahubServer, customer_writes


def test_a_customer_message_appears_live_with_its_unread_count_and_a_reply_reaches_read(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    simulator = wahub.simulator()
    customer_writes(simulator, "16505551234", "Hi! Is my order on its way?", name="Sheena")
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)
    waits(qtbot, lambda: listed(screen) == [("Sheena", 1)])

    customer_writes(simulator, "447700900123", "Do you ship to London?", name="Oliver")

    waits(qtbot, lambda: listed(screen) == [("Oliver", 1), ("Sheena", 1)])
    open_conversation(qtbot, screen, "Sheena")
    waits(qtbot, lambda: ("Sheena", 0) in listed(screen))
    assert thread_texts(screen) == ["Hi! Is my order on its way?"]

    type_and_send(qtbot, screen, "Yes, it ships today.")

    waits(qtbot, lambda: thread_texts(screen)[-1:] == ["Yes, it ships today."])
    model = screen.thread_view.model()
    waits(qtbot, lambda: model.index(model.rowCount() - 1, 0).data(StatusRole) == "read")
    assert screen.composer.text() == ""
    app.close()


def test_a_draft_survives_switching_conversations_and_restarting_the_app(qtbot: QtBot, wahub: WahubServer) -> None:
    simulator = wahub.simulator()
    customer_writes(simulator, "16505551234", "Hello", name="Sheena")
    customer_writes(simulator, "447700900123", "Bonjour", name="Oliver")
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)
    open_conversation(qtbot, screen, "Sheena")
    qtbot.keyClicks(screen.composer.edit, "Your parcel left")
    qtbot.keyClick(screen.composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(screen.composer.edit, "our warehouse")

    open_conversation(qtbot, screen, "Oliver")
    assert screen.composer.text() == ""
    open_conversation(qtbot, screen, "Sheena")
    assert screen.composer.text() == "Your parcel left\nour warehouse"
    app.close()

    again = open_desktop(qtbot, wahub, ADMIN_KEY)
    open_conversation(qtbot, inbox(again), "Sheena")
    assert inbox(again).composer.text() == "Your parcel left\nour warehouse"

    qtbot.keyClick(window(again), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(inbox(again).search, "bonjour")
    waits(qtbot, lambda: listed(inbox(again)) == [("Oliver", 0)])
    again.close()


def test_outside_the_window_free_text_is_disabled_and_a_template_with_parameters_goes_out(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    api = wahub.api()
    created = api.post(
        "/v1/templates",
        json={
            "name": "order_update",
            "language": "en_US",
            "category": "UTILITY",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hi {{1}}, your order {{2}} has shipped.",
                    "example": {"body_text": [["Ana", "A-1"]]},
                }
            ],
        },
    )
    assert created.status_code == 201, created.text
    waits(
        qtbot,
        lambda: any(t["name"] == "order_update" and t["status"] == "APPROVED" for t in api.get("/v1/templates").json()),
    )
    sent = api.post(
        "/v1/messages",
        json={
            "to": "+4915112345678",
            "type": "template",
            "template": {"name": "hello_world", "language": {"code": "en_US"}},
        },
    )
    assert sent.status_code == 202, sent.text
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)
    open_conversation(qtbot, screen, "+4915112345678")

    assert screen.composer.edit.isReadOnly() and not screen.composer.send_button.isEnabled()
    assert "window is closed" in screen.composer.window_notice.text() and screen.badge.text() == "template only"
    qtbot.mouseClick(screen.composer.template_button, Qt.MouseButton.LeftButton)
    waits(qtbot, lambda: dialog_named("templateDialog"))
    dialog = dialog_named("templateDialog")
    picker = dialog.picker  # type: ignore[union-attr]
    picker.setCurrentIndex([picker.itemText(i) for i in range(picker.count())].index("order_update (en_US) · utility"))
    first, second = dialog.fields()  # type: ignore[union-attr]
    assert not dialog.send_button.isEnabled()  # type: ignore[union-attr]
    qtbot.keyClicks(first, "Ana")
    qtbot.keyClicks(second, "A-1042")
    assert dialog.preview.text() == "Hi Ana, your order A-1042 has shipped."  # type: ignore[union-attr]
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]

    waits(qtbot, lambda: [m.content.get("name") for m in thread_messages(screen)][-1:] == ["order_update"])
    message = thread_messages(screen)[-1]
    assert message.content["components"][0]["parameters"][1]["text"] == "A-1042"
    app.close()


def test_a_failed_send_shows_meta_s_reason_and_retry_sends_it(qtbot: QtBot, wahub: WahubServer) -> None:
    simulator = wahub.simulator()
    hello = customer_writes(simulator, "16505551234", "Hello", name="Sheena")
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)
    open_conversation(qtbot, screen, "Sheena")
    waits(qtbot, lambda: listed(screen) == [("Sheena", 0)])
    qtbot.keyClicks(screen.composer.edit, "Your refund is on its way")

    def marks_of_hello() -> list[bool]:
        return [mark["typing"] for mark in simulator.get("/_sim/read-marks").json() if mark["message_id"] == hello]

    # this test's read receipt and typing indicator have reached Meta (earlier tests' marks name other
    # messages): the next Graph call is the send, which Meta fails
    waits(qtbot, lambda: True in marks_of_hello())
    fault = simulator.put("/_sim/faults/graph", json={"fail": 1, "fail_status": 400, "fail_code": 131026})
    assert fault.status_code in (200, 204), fault.text

    qtbot.keyClick(screen.composer.edit, Qt.Key.Key_Return)

    model = screen.thread_view.model()
    waits(qtbot, lambda: model.index(model.rowCount() - 1, 0).data(StatusRole) == "failed")
    failed_row = model.rowCount() - 1
    assert "131026" in model.index(failed_row, 0).data(FailureRole)
    screen.thread_view.scrollToBottom()
    click_at(qtbot, screen.thread_view.viewport(), screen.retry_point(failed_row))

    waits(qtbot, lambda: model.index(model.rowCount() - 1, 0).data(StatusRole) in ("delivered", "read"))
    retried = thread_messages(screen)[-1]
    assert retried.retry_of == thread_messages(screen)[failed_row].id
    app.close()


def test_an_inbound_image_shows_and_saves_byte_for_byte(qtbot: QtBot, wahub: WahubServer, tmp_path: Path) -> None:
    picture = png(64, 48)
    answer = wahub.simulator().post(
        "/_sim/inbound",
        json={
            "from": "16505551234",
            "name": "Sheena",
            "type": "image",
            "image": {"caption": "The box arrived like this"},
            "media": {"data_base64": base64.b64encode(picture).decode(), "mime_type": "image/png"},
        },
    )
    assert answer.status_code == 200, answer.text
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)
    open_conversation(qtbot, screen, "Sheena")
    model = screen.thread_view.model()
    waits(qtbot, lambda: model.index(0, 0).data(ThumbnailRole) is not None)
    assert model.index(0, 0).data(ThumbnailRole).size().width() == 64
    assert thread_texts(screen) == ["The box arrived like this"]

    save = screen.save_media(thread_messages(screen)[0])
    target = tmp_path / "saved.png"
    save.selectFile(str(target))
    save.accept()

    waits(qtbot, lambda: target.is_file() and target.read_bytes() == picture)
    assert isinstance(save, QFileDialog)
    app.close()


def test_the_window_reconnects_after_a_restart_refreshes_and_keeps_the_draft(qtbot: QtBot, start: StartWahub) -> None:
    server = start()
    customer_writes(server.simulator(), "16505551234", "Hello", name="Sheena")
    app = open_desktop(qtbot, server, ADMIN_KEY)
    screen = inbox(app)
    open_conversation(qtbot, screen, "Sheena")
    qtbot.keyClicks(screen.composer.edit, "Let me check")

    server.kill()
    banner = window(app).banner
    waits(qtbot, lambda: banner.isVisible() and "Reconnecting" in banner.text())
    restarted = start(port=server.port)
    customer_writes(restarted.simulator(), "447700900123", "Anyone there?", name="Oliver")
    customer_writes(restarted.simulator(), "16505551234", "Still there?", name="Sheena")

    waits(qtbot, lambda: not banner.isVisible(), timeout=40_000)
    waits(qtbot, lambda: "Oliver" in [name for name, _ in listed(screen)])
    waits(qtbot, lambda: thread_texts(screen) == ["Hello", "Still there?"])
    assert screen.composer.text() == "Let me check"
    app.close()


def test_the_help_overlay_lists_the_shortcuts(qtbot: QtBot, wahub: WahubServer) -> None:
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    window(app).activateWindow()

    qtbot.keyClick(window(app), Qt.Key.Key_F1)

    waits(qtbot, lambda: dialog_named("shortcutsHelp") or window(app).findChild(object, "shortcutsHelp"))
    help_text = " ".join(
        label.text() for label in window(app).findChild(object, "shortcutsHelp").findChildren(type(window(app).banner))
    )
    assert "Search conversations" in help_text and "Shift+Enter" in help_text
    assert button(window(app), "screen-inbox").isChecked()
    app.close()
