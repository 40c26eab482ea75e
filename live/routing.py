from django.urls import path

from live.consumers import AdminListConsumer, PanelConsumer, WidgetConsumer, WorkspaceConsumer
from live.origins import WIDGET_SOCKETS

websocket_urlpatterns = [
    path("ws/workspace/", WorkspaceConsumer.as_asgi()),
    path("ws/chats/<int:session_id>/", PanelConsumer.as_asgi()),
    # Under WIDGET_SOCKETS: the one route that may be opened from another site (its channel's websites).
    path(f"{WIDGET_SOCKETS.lstrip('/')}<str:token>/", WidgetConsumer.as_asgi()),
    path("ws/admin/chat-sessions/", AdminListConsumer.as_asgi()),
]
