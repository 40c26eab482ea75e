"""Who may show the widget and open a socket, and the pages' own Content-Security-Policy.

A channel lists the websites that may embed its widget (empty: this helpdesk's own pages only). The widget
page's frame-ancestors names them, the loader asks for them before it shows the button, and the widget's
socket checks its Origin against them. Agents' sockets come from this site only, compared by scheme, host
and port. Every page sends a strict policy: scripts from this site only, no inline code for them to run."""

import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from chat.models import Channel, ChatSession
from helpdesk.asgi import application
from live.consumers import FORBIDDEN
from tests.factories import ChatSessionFactory, UserFactory, logged_in

FRAME_WAIT = 5


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def inline_code(html: str) -> list[str]:
    """Everything in a page that a CSP without 'unsafe-inline' and 'unsafe-eval' would block or break:
    inline scripts, event-handler attributes, javascript: links, htmx's hx-on and trigger filters (eval)."""
    found = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
    found += re.findall(r"\s(on[a-z]+)=", html)
    found += re.findall(r"javascript:", html)
    found += re.findall(r"hx-on[:-][^=]*=", html)
    found += re.findall(r'hx-trigger="[^"]*\[[^"]*"', html)
    return found


# --- The pages' own policy ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/admin/", "/admin/chat/chatsession/", "/admin/chat/channel/{channel}/change/"])
def test_workspace_and_admin_pages_send_a_strict_policy_and_carry_no_inline_code(support, maria, url):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client() if url == "/accounts/login/" else logged_in(UserFactory(username="root"))
    if url == "/":
        client = logged_in(maria)

    response = client.get(url.format(channel=support.pk))

    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
def test_an_open_chat_panel_and_its_tools_carry_no_inline_code(support, alice):
    chat = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ACTIVE)
    client = logged_in(alice)

    for url in [f"/chats/{chat.pk}/", f"/chats/{chat.pk}/contact/", "/predefined/quick-replies/new/"]:
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


# --- Which websites may show the widget ---------------------------------------------------------------


@pytest.mark.django_db
def test_with_no_websites_listed_only_this_site_may_frame_the_widget(support, alice):
    response = Client().get("/widget/support/")

    assert policy(response)["frame-ancestors"] == ["'self'"]
    assert policy(response)["script-src"] == ["'self'"]
    assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
def test_the_widgets_chat_carries_no_inline_code(support, alice):
    chat = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ACTIVE)

    response = Client().get(f"/widget/support/chat/{chat.token}/")

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()
    assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
def test_the_widget_page_may_be_framed_by_the_channels_websites_and_nobody_else(support):
    support.allowed_websites = "https://www.example.com\nhttp://shop.example.org:8080/"
    support.save()

    response = Client().get("/widget/support/")

    assert policy(response)["frame-ancestors"] == ["'self'", "https://www.example.com", "http://shop.example.org:8080"]
    assert "X-Frame-Options" not in response.headers


@pytest.mark.django_db
def test_the_loader_learns_the_websites_it_may_show_the_button_on(support):
    support.allowed_websites = "https://www.example.com:443"
    support.save()

    response = Client().get("/widget/support/embedding/", HTTP_ORIGIN="https://www.example.com")

    assert response.json() == {"origins": ["http://testserver", "https://www.example.com"]}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
@pytest.mark.parametrize("website", ["www.example.com", "https://www.example.com/shop", "ftp://example.com", "https://"])
def test_a_website_is_written_as_an_origin(website):
    channel = Channel(slug="sales", name="Sales", allowed_websites=f"https://ok.example.com\n{website}")

    with pytest.raises(ValidationError) as refused:
        channel.full_clean()

    assert "allowed_websites" in refused.value.message_dict


# --- Sockets: scheme, host and port ----------------------------------------------------------------------


def session_cookie(user) -> bytes:
    client = logged_in(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def opens(path, origin, host="localhost", user=None, extra=()):
    """Whether the socket stays open: a refused one is accepted, then closed with 4403."""
    headers = [(b"origin", origin.encode()), (b"host", host.encode()), *extra]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=FRAME_WAIT)
    assert connected, "a refused socket is accepted first, or the browser retries for ever"
    first = await communicator.receive_output(timeout=FRAME_WAIT)
    await communicator.disconnect(timeout=FRAME_WAIT)
    if first["type"] == "websocket.close":
        assert first["code"] == FORBIDDEN
        return False
    return True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://localhost", "localhost", True),
        ("http://localhost:8000", "localhost:8000", True),
        ("http://localhost:8080", "localhost:8000", False),  # same host, another port
        ("https://localhost", "localhost", False),  # same host, another scheme
        ("http://evil.example", "localhost", False),
        ("http://evil.example", "evil.example", False),  # a Host the site does not answer to
    ],
)
async def test_an_agents_socket_opens_only_from_this_site(alice, origin, host, allowed):
    assert await opens("/ws/workspace/", origin, host=host, user=alice) is allowed


@pytest.mark.django_db(transaction=True)
async def test_behind_a_tls_proxy_the_site_is_https(alice):
    proto = [(b"x-forwarded-proto", b"https")]
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert await opens("/ws/workspace/", "https://localhost", user=alice, extra=proto)
        assert not await opens("/ws/workspace/", "http://localhost", user=alice, extra=proto)


@pytest.mark.django_db(transaction=True)
async def test_a_trusted_origin_may_open_an_agents_socket(alice):
    with override_settings(CSRF_TRUSTED_ORIGINS=["https://help.example.com"]):
        assert await opens("/ws/workspace/", "https://help.example.com", user=alice)
        assert not await opens("/ws/workspace/", "https://help.example.com:8443", user=alice)


def widget_chat(websites=""):
    channel = Channel.objects.get(slug="support")
    channel.allowed_websites = websites
    channel.save()
    return ChatSessionFactory(channel=channel)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost", True),  # the widget's own iframe, served by this site
        ("https://www.example.com", True),
        ("http://www.example.com", False),
        ("https://www.example.com:8443", False),
        ("https://evil.example", False),
    ],
)
async def test_the_widget_socket_opens_from_this_site_or_the_channels_websites(support, origin, allowed):
    chat = await database_sync_to_async(widget_chat)("https://www.example.com")

    assert await opens(f"/ws/widget/{chat.token}/", origin) is allowed
