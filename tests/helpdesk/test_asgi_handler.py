"""HTTP through the ASGI application that Daphne serves (helpdesk/asgi.py), whose handler runs the middleware
chain and the view in sync mode in one hand-off to the sync thread: every middleware still takes part, and
what a view writes is committed and pushed as under Django's own handler."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator

from chat.models import Message
from helpdesk.asgi import application
from tests.factories import active_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _request(method, path, body=b"", headers=()):
    communicator = HttpCommunicator(application, method, path, body=body, headers=[
        (b"host", b"127.0.0.1"), *headers,
    ])
    return await communicator.get_response(timeout=10)


def _header(response, name):
    return dict(response["headers"]).get(name.encode(), b"").decode()


async def test_a_page_comes_through_every_middleware():
    response = await _request("GET", "/accounts/login/?next=/")
    assert response["status"] == 200
    assert "script-src" in _header(response, "Content-Security-Policy"), "django-csp answered"
    assert _header(response, "X-Frame-Options") == "DENY", "the clickjacking middleware answered"
    assert "csrftoken" in _header(response, "Set-Cookie"), "the CSRF middleware answered"


async def test_a_visitors_line_posted_over_asgi_is_stored_and_a_bad_one_refused(support, alice):
    chat = await database_sync_to_async(active_chat)(support, alice)
    path = f"/widget/{support.slug}/chat/{chat.token}/messages/"
    form = [(b"content-type", b"application/x-www-form-urlencoded")]

    posted = await _request("POST", path, b"body=Hello+there", form)
    refused = await _request("POST", path, b"body=+", form)

    assert posted["status"] == 204
    assert refused["status"] == 400 and "Type a message first." in refused["body"].decode()
    bodies = await database_sync_to_async(lambda: list(Message.objects.filter(session=chat).values_list(
        "body", flat=True)))()
    assert bodies == ["Hello there"]
