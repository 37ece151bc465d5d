"""Which screens the window offers, in rail order."""

from __future__ import annotations

from desktop.analytics_screen import AnalyticsScreen
from desktop.inbox import InboxScreen
from desktop.screens import Screen, register
from desktop.setup_screen import SetupScreen
from desktop.templates_screen import TemplatesScreen


def register_screens() -> None:
    register(Screen(name="inbox", title="Inbox", action="read messages and conversations", build=InboxScreen))
    register(Screen(name="analytics", title="Analytics", action="read analytics", build=AnalyticsScreen))
    register(Screen(name="templates", title="Templates", action="list templates", build=TemplatesScreen))
    register(Screen(name="setup", title="Setup", action="read setup checks", build=SetupScreen))
