"""Live sockets follow the sign-in: logging out, being deactivated or changing the password closes that
person's open sockets (4401, so the page goes to the login), and a sign-in that ended without a word is
caught at the socket's next check of its session."""

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

from tests.factories import active_chat
from tests.live.test_consumers import FRAME_WAIT, NOT_LOGGED_IN, frame_with, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def signed_in_sockets(support, alice):
    """alice's workspace and chat panel, on one signed-in session; and that session's client."""
    client = Client()
    await database_sync_to_async(client.force_login)(alice)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    chat = await database_sync_to_async(active_chat)(support, alice)
    sockets = []
    for path, marker in (("/ws/workspace/", 'id="presence-toggle"'), (f"/ws/chats/{chat.pk}/", "transcript-")):
        communicator = await socket(path)
        communicator.scope["headers"].append((b"cookie", cookie.encode()))
        assert (await communicator.connect(timeout=FRAME_WAIT))[0]
        await frame_with(communicator, marker)
        sockets.append(communicator)
    return client, sockets


async def closed_signed_out(communicator):
    for _ in range(20):
        output = await communicator.receive_output(timeout=FRAME_WAIT)
        if output["type"] == "websocket.close":
            return output.get("code") == NOT_LOGGED_IN
    return False


async def test_logging_out_closes_the_persons_open_sockets(support, alice):
    client, sockets = await signed_in_sockets(support, alice)

    await database_sync_to_async(client.logout)()

    for communicator in sockets:
        assert await closed_signed_out(communicator)


async def test_a_new_password_closes_the_persons_open_sockets(support, alice):
    _client, sockets = await signed_in_sockets(support, alice)

    def change_password():
        alice.set_password("a new and long passphrase")
        alice.save()

    await database_sync_to_async(change_password)()

    for communicator in sockets:
        assert await closed_signed_out(communicator)


async def test_deactivating_an_account_closes_its_open_sockets(support, alice):
    _client, sockets = await signed_in_sockets(support, alice)

    def deactivate():
        alice.is_active = False
        alice.save()

    await database_sync_to_async(deactivate)()

    for communicator in sockets:
        assert await closed_signed_out(communicator)


async def test_a_socket_whose_session_ended_unannounced_closes_at_its_next_check(support, alice, settings):
    settings.PRESENCE_GRACE_SECONDS = 0.5  # the sockets check their session this often
    _client, sockets = await signed_in_sockets(support, alice)

    await database_sync_to_async(Session.objects.all().delete)()  # no signal: as if expired in the database

    for communicator in sockets:
        assert await closed_signed_out(communicator)
