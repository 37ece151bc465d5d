"""Which screens the window offers, in rail order. Part 2 replaces the placeholders with its screens here."""

from __future__ import annotations

from desktop.inbox import InboxScreen
from desktop.screens import Screen, coming_in_part_two, register
from desktop.templates_screen import TemplatesScreen


def register_screens() -> None:
    register(Screen(name="inbox", title="Inbox", action="read messages and conversations", build=InboxScreen))
    register(
        Screen(name="analytics", title="Analytics", action="read analytics", build=coming_in_part_two("Analytics"))
    )
    register(Screen(name="templates", title="Templates", action="list templates", build=TemplatesScreen))
    register(Screen(name="setup", title="Setup", action="read setup checks", build=coming_in_part_two("Setup")))
