"""The websockets, one module each: the workspace, a chat panel, the visitor's widget, the admin list."""

from live.consumers.admin_list import AdminListConsumer
from live.consumers.base import FORBIDDEN, NOT_FOUND, NOT_LOGGED_IN
from live.consumers.panel import PanelConsumer
from live.consumers.widget import WidgetConsumer
from live.consumers.workspace import WorkspaceConsumer

__all__ = [
    "AdminListConsumer", "PanelConsumer", "WidgetConsumer", "WorkspaceConsumer",
    "FORBIDDEN", "NOT_FOUND", "NOT_LOGGED_IN",
]
