"""The window's screens, registered by name: part 2 adds analytics, templates and setup by registering them.

A screen is shown only to a key whose role may take its action (GET /v1/me lists them), so an agent
never sees an admin's screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.session import Session


@dataclass(frozen=True)
class Screen:
    name: str
    title: str
    action: str
    """The API action (application.access.Action's value, as /v1/me lists it) the screen needs."""
    build: Callable[[Session], QWidget]


SCREENS: dict[str, Screen] = {}


def register(screen: Screen) -> None:
    SCREENS[screen.name] = screen


def coming_in_part_two(title: str) -> Callable[[Session], QWidget]:
    def build(_: Session) -> QWidget:
        label = QLabel(f"{title} is coming in part 2 of the desktop dashboard.")
        label.setObjectName("comingSoon")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    return build
