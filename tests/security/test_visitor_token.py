"""The visitor's token, the only key to their chat: never in a log, never cached, and of no use a while
after the chat has ended (Channel.visitor_link_days, 7 by default)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession, Message
from helpdesk.asgi import application
from live.consumers.base import GONE
from tests.factories import ChatSessionFactory

FRAME_WAIT = 5


def ended_chat(channel, days_ago, **fields):
    ended_at = timezone.now() - timedelta(days=days_ago)
    return ChatSessionFactory(
        channel=channel, status=ChatSession.Status.ENDED, end_reason=ChatSession.EndReason.VISITOR,
        ended_at=ended_at, **fields
    )


def no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


# --- Never cached ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_widget_answer_that_carries_the_token_or_the_transcript_is_not_stored(support, alice):
    visitor = Client()
    start = visitor.post("/widget/support/start/", {"name": "Vera", "email": "vera@example.org", "question": "Hi"})
    chat = ChatSession.objects.get()
    base = f"/widget/support/chat/{chat.token}/"

    answers = [
        visitor.get("/widget/support/"),
        start,
        visitor.get(base),
        visitor.post(f"{base}messages/", {"body": "Hello?"}),
        visitor.post(f"{base}typing/"),
        visitor.post(f"{base}end/"),
        visitor.post(f"{base}feedback/", {"rating": "5"}),
    ]

    assert chat.token in start.content.decode()
    for answer in answers:
        assert answer.status_code < 400, answer.request["PATH_INFO"]
        assert no_store(answer), answer.request["PATH_INFO"]


# --- Expired a set time after the chat ends -------------------------------------------------------------


@pytest.mark.django_db
def test_the_token_still_opens_a_chat_that_ended_within_the_channels_days(support):
    chat = ended_chat(support, days_ago=6)
    Message.objects.create(session=chat, kind=Message.Kind.VISITOR, body="Where is order 1234?")

    response = Client().get(f"/widget/support/chat/{chat.token}/")

    assert response.status_code == 200
    assert "Where is order 1234?" in response.content.decode()


@pytest.mark.django_db
def test_after_the_channels_days_the_token_is_refused_with_410_and_no_transcript(support):
    chat = ended_chat(support, days_ago=8)
    Message.objects.create(session=chat, kind=Message.Kind.VISITOR, body="My card number is 4111")
    base = f"/widget/support/chat/{chat.token}/"
    visitor = Client()

    state = visitor.get(base)
    assert state.status_code == 410
    assert "can no longer be opened" in state.content.decode()
    assert "4111" not in state.content.decode()
    for refused in (
        visitor.post(f"{base}reactivate/"),
        visitor.post(f"{base}messages/", {"body": "still there?"}),
        visitor.post(f"{base}feedback/", {"rating": "1"}),
        visitor.post(f"{base}typing/"),
    ):
        assert refused.status_code == 410, refused.request["PATH_INFO"]
    assert chat.messages.count() == 1


@pytest.mark.django_db
def test_the_days_are_set_per_channel(support):
    support.visitor_link_days = 1
    support.save()
    chat = ended_chat(support, days_ago=2)

    assert Client().get(f"/widget/support/chat/{chat.token}/").status_code == 410


@pytest.mark.django_db
def test_a_chat_still_going_keeps_its_token_however_old_it_is(support, alice):
    chat = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ACTIVE)
    ChatSession.objects.filter(pk=chat.pk).update(created_at=timezone.now() - timedelta(days=30))

    assert Client().get(f"/widget/support/chat/{chat.token}/").status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_the_widget_socket_of_an_expired_token_is_refused_with_4410(support):
    chat = await database_sync_to_async(ended_chat)(support, days_ago=8)
    communicator = WebsocketCommunicator(
        application, f"/ws/widget/{chat.token}/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")]
    )

    connected, _ = await communicator.connect(timeout=FRAME_WAIT)

    assert connected, "refused after accept, so the widget does not retry for ever"
    assert await communicator.receive_output(timeout=FRAME_WAIT) == {"type": "websocket.close", "code": GONE}
    await communicator.disconnect(timeout=FRAME_WAIT)


# --- Never in a log --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, deadline):
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"the server did not answer {url}")


def test_the_servers_access_log_and_request_warnings_show_the_token_masked(tmp_path):
    """Through the command `make run` and the README use: a real Daphne writing its access log. A POST to
    a page that takes only GET answers 405 without a database, and Django logs that warning with the path."""
    token = "Vq3xZ9kLmN2pR7sT4wY6bC1dF8gH0jKa5eUiOoP3qWs"
    port = free_port()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}", PYTHONUNBUFFERED="1")
    log = tmp_path / "daphne.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "helpdesk.serve", "-b", "127.0.0.1", "-p", str(port), "helpdesk.asgi:application"],
            cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/widget/support/chat/{token}/"
        wait_for(f"http://127.0.0.1:{port}/static/widget/loader.js", time.monotonic() + 30)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=5)
        assert refused.value.code == 405
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=10)

    written = log.read_text()
    assert '"POST /widget/support/chat/<token>/" 405' in written
    assert "Method Not Allowed (POST): /widget/support/chat/<token>/" in written
    assert token not in written
