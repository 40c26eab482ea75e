"""The reference's ASGI application, served by Daphne like helpdesk.asgi."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "channels_reference.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from channels_reference.consumers import LobbyConsumer, RoomConsumer

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter([
            path("ws/rooms/<str:room>/", RoomConsumer.as_asgi()),
            path("ws/lobby/", LobbyConsumer.as_asgi()),
        ])),
    }
)
