"""Which pages may open a socket, by their Origin: scheme, host and port, not the host alone (channels'
AllowedHostsOriginValidator would let http://help.example.com:8080 or plain http in where only
https://help.example.com belongs).

A socket is this site's own when its Origin is the origin the browser connected to (the Host header, with
https when the socket is wss or the proxy says so through SECURE_PROXY_SSL_HEADER, as Django reads it for
HTTP) on an allowed host, or one of CSRF_TRUSTED_ORIGINS. Agents' sockets must be the site's own. The widget's
socket may also come from one of its channel's allowed websites; WidgetConsumer checks that, since only it
knows the channel."""

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from helpdesk.origins import normalize_origin
from live.consumers.base import FORBIDDEN

WIDGET_SOCKETS = "/ws/widget/"


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def socket_origin(scope) -> str | None:
    return normalize_origin(_header(scope, b"origin"))


def _is_secure(scope) -> bool:
    if scope.get("scheme") == "wss":
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        meta_name, secure_value = proxy_header
        header = meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        return _header(scope, header).split(",")[0].strip() == secure_value
    return False


def site_origins(scope) -> set[str]:
    """The origins that count as this site for this socket."""
    origins = {normalize_origin(origin) for origin in settings.CSRF_TRUSTED_ORIGINS if "*" not in origin}
    host = _header(scope, b"host")
    if host and validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        origins.add(normalize_origin(f"{'https' if _is_secure(scope) else 'http'}://{host}"))
    origins.discard(None)
    return origins


def is_own_site(scope) -> bool:
    origin = socket_origin(scope)
    return origin is not None and origin in site_origins(scope)


class SiteOriginValidator:
    """Refuses a socket from another site, except a widget's, which its consumer checks against its channel.
    A refusal is an accepted socket closed with 4403, like every refusal here (live/consumers/base.py)."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket" or scope["path"].startswith(WIDGET_SOCKETS) or is_own_site(scope):
            return await self.application(scope, receive, send)
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": FORBIDDEN})
