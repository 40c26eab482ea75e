import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# Set up Django (and its app registry) before anything imports models.
django.setup(set_prefix=False)


class OneThreadHopHandler(ASGIHandler):
    """Django's ASGI handler, with the middleware chain and the view run in sync mode in one call to the
    sync thread. Every view and most middleware here are sync; in async mode Django switches between the
    event loop and that thread at every boundary between an async-capable middleware and a sync one, and
    for each hook of an async-mode MiddlewareMixin: some eight switches per request, each costing a
    thread hand-off, where this takes one. Reading the body and sending the answer stay async."""

    def __init__(self):
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


django_asgi_app = OneThreadHopHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from live.origins import SiteOriginValidator  # noqa: E402
from live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
