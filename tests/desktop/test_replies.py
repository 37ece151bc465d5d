"""Answering in the window: a quoted reply, an attachment, a customer known only by BSUID, a notification."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidget
from pytestqt.qtbot import QtBot

from desktop.thread import QuoteRole, StatusRole, ThumbnailRole
from tests.desktop.support import (
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
from tests.e2e.support import ADMIN_KEY, WahubServer, customer_writes


def sent_to_meta(wahub: WahubServer) -> list[dict[str, object]]:
    """Every message wahub sent through the simulator's Graph API, as Meta received it."""
    sent: list[dict[str, object]] = wahub.simulator().get("/_sim/messages").json()
    return sent


def file_dialog(parent: QWidget) -> QFileDialog | None:
    return next((d for d in parent.findChildren(QFileDialog) if d.isVisible()), None)


def test_a_reply_chosen_from_a_message_s_menu_goes_out_with_its_context_and_shows_the_quote(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    simulator = wahub.simulator()
    asked = customer_writes(simulator, "16505551234", "Which size should I take?", name="Sheena")
    customer_writes(simulator, "16505551234", "I'm usually an M", name="Sheena")
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)
    open_conversation(qtbot, screen, "Sheena")
    waits(qtbot, lambda: len(thread_texts(screen)) == 2)
    assert thread_texts(screen) == ["Which size should I take?", "I'm usually an M"]

    view = screen.thread_view
    point = view.visualRect(screen.messages.index(0)).center()
    QApplication.sendEvent(
        view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point))
    )
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    reply = next(action for action in menu.actions() if action.text() == "Reply")
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(reply).center())
    assert screen.composer.reply_label.text() == "Replying to Sheena: Which size should I take?"
    type_and_send(qtbot, screen, "An M fits you best.")

    waits(qtbot, lambda: thread_texts(screen)[-1:] == ["An M fits you best."])
    assert screen.messages.index(2).data(QuoteRole) == "↪ Sheena: Which size should I take?"
    waits(qtbot, lambda: not screen.composer.reply_bar.isVisible())  # once the server has accepted the reply
    waits(qtbot, lambda: any(m["type"] == "text" for m in sent_to_meta(wahub)))
    [answer] = [m for m in sent_to_meta(wahub) if m["type"] == "text"]
    assert answer["payload"]["context"] == {"message_id": asked}  # type: ignore[index]


def test_an_image_attached_with_a_caption_is_uploaded_sent_and_shown_from_wahub_s_media_store(
    qtbot: QtBot, wahub: WahubServer, tmp_path: Path
) -> None:
    customer_writes(wahub.simulator(), "16505551234", "Can you show me the colour?", name="Sheena")
    picture = tmp_path / "swatch.png"
    picture.write_bytes(png(48, 32))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)
    open_conversation(qtbot, screen, "Sheena")

    for chosen in (empty, picture):
        qtbot.mouseClick(screen.composer.attach_button, Qt.MouseButton.LeftButton)
        waits(qtbot, lambda: file_dialog(screen.composer))
        dialog = file_dialog(screen.composer)
        assert dialog is not None
        dialog.selectFile(str(chosen))
        dialog.accept()
        if chosen is empty:
            assert (
                screen.composer.error.text()
                == "empty.png: the image file is empty (0 bytes); WhatsApp refuses empty media"
            )
            assert not screen.composer.attachment_label.isVisible()
    assert screen.composer.attachment_label.text().startswith("▤ swatch.png (image)")
    type_and_send(qtbot, screen, "This one, in sea green")

    waits(qtbot, lambda: thread_texts(screen)[-1:] == ["This one, in sea green"])
    sent = thread_messages(screen)[-1]
    assert sent.type == "image" and sent.direction == "outbound"
    last = screen.messages.index(screen.messages.rowCount() - 1)
    waits(qtbot, lambda: last.data(ThumbnailRole) is not None)
    assert (last.data(ThumbnailRole).width(), last.data(ThumbnailRole).height()) == (48, 32)
    waits(qtbot, lambda: last.data(StatusRole) in ("delivered", "read"))
    [image] = [m for m in sent_to_meta(wahub) if m["type"] == "image"]
    assert image["payload"]["image"]["caption"] == "This one, in sea green"  # type: ignore[index]
    waits(qtbot, lambda: not screen.composer.attachment_label.isVisible() and screen.composer.text() == "")


def test_a_customer_known_only_by_bsuid_shows_their_username_and_is_answered_by_bsuid(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    simulator = wahub.simulator()
    hidden = simulator.put("/_sim/customers/447700900456", json={"username": "amara.o", "hide_number": True})
    assert hidden.status_code == 200, hidden.text
    bsuid = hidden.json()["user_id"]
    customer_writes(simulator, "447700900456", "Hello from a username account", name=None)
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    screen = inbox(app)

    waits(qtbot, lambda: listed(screen) == [("amara.o", 1)])
    open_conversation(qtbot, screen, "amara.o")
    assert screen.handle.text() == "@amara.o"
    assert screen.current is not None and screen.current.customer_id == bsuid
    shown = [screen.title.text(), screen.handle.text(), *thread_texts(screen)]
    assert not any("447700900456" in text for text in shown), "Meta withheld the number: the window never shows it"
    type_and_send(qtbot, screen, "Hi Amara, how can we help?")

    waits(qtbot, lambda: thread_texts(screen)[-1:] == ["Hi Amara, how can we help?"])
    model = screen.thread_view.model()
    waits(qtbot, lambda: model.index(model.rowCount() - 1, 0).data(StatusRole) in ("delivered", "read"))
    [answer] = [m for m in sent_to_meta(wahub) if m["type"] == "text"]
    assert answer["to"] == bsuid


def test_a_customer_message_while_the_agent_works_elsewhere_is_announced_once(qtbot: QtBot, wahub: WahubServer) -> None:
    app = open_desktop(qtbot, wahub, ADMIN_KEY)
    main = window(app)
    elsewhere = QWidget()
    elsewhere.show()
    elsewhere.activateWindow()
    waits(qtbot, lambda: not main.isActiveWindow())

    customer_writes(wahub.simulator(), "447700900123", "Do you ship to London?", name="Oliver")

    waits(qtbot, lambda: main.last_notification == ("Oliver", "Do you ship to London?"))
    main.last_notification = None
    main.activateWindow()
    waits(qtbot, main.isActiveWindow)
    customer_writes(wahub.simulator(), "447700900123", "Hello?", name="Oliver")
    waits(qtbot, lambda: ("Oliver", 2) in listed(inbox(app)))
    assert main.last_notification is None, "no notification while the agent looks at the window"
    elsewhere.close()
