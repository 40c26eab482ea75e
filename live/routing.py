from django.urls import path

from live.consumers import AdminListConsumer, PanelConsumer, WidgetConsumer, WorkspaceConsumer

websocket_urlpatterns = [
    path("ws/workspace/", WorkspaceConsumer.as_asgi()),
    path("ws/chats/<int:session_id>/", PanelConsumer.as_asgi()),
    path("ws/widget/<str:token>/", WidgetConsumer.as_asgi()),
    path("ws/admin/chat-sessions/", AdminListConsumer.as_asgi()),
]
