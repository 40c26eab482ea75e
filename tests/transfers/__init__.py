"""Helpers shared by the transfer tests: the people of a team, an answered chat, and websocket clients.

Users are re-read from the database before they act, because `helpdesk.roles` and Django's permission
checks remember a user's rights on the user object.
"""

from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession
from helpdesk.demo import MANAGERS_GROUP, permission
from tests.factories import ChannelFactory, ChatSessionFactory, make_agent
from transfers import services

# Long enough never to fire on a working app; a guard against a hanging test, not a measurement.
RECEIVE_TIMEOUT = 10


def support_channel(**fields):
    channel = ChannelFactory(slug="support", name="Support")
    if fields:
        for name, value in fields.items():
            setattr(channel, name, value)
        channel.save()
    return channel


def fresh(user):
    """The user as the next request would see them: no remembered rights or permissions."""
    return get_user_model().objects.get(pk=user.pk)


def make_manager(username="maria", channel=None, **rights):
    """Like the demo's maria: staff, in the Managers group, which carries helpdesk.manage_chats and
    view / change on chat sessions. Her channel membership grants no manager right by itself."""
    user = make_agent(username, channel=channel, **rights)
    managers, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    managers.permissions.add(
        permission("helpdesk.manage_chats"),
        permission("chat.view_chatsession"),
        permission("chat.change_chatsession"),
    )
    user.groups.add(managers)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return fresh(user)


def make_listen_in_agent(username="carol", channel=None, **rights):
    """Like the demo's carol: an agent holding the Django permission "Can listen in"."""
    user = make_agent(username, channel=channel, **rights)
    user.user_permissions.add(permission("helpdesk.listen_in"))
    return fresh(user)


def active_chat(owner, channel=None, **fields):
    return ChatSessionFactory(
        channel=channel or support_channel(), owner=owner, status=ChatSession.Status.ACTIVE,
        answered_at=timezone.now(), **fields,
    )


def offer(chat, by, to, note=""):
    return services.transfer_start(session=chat, by=fresh(by), to_agent_id=to.pk, note=note)


def handed_over_team():
    """A chat that has changed hands once and is being offered again.

    lena answered it and handed it to owen (lena now listens); owen offers it to tina. pia is a Present
    colleague nobody has involved yet, maria a manager, carol holds "Can listen in", oscar is just another
    agent on the channel.
    """
    channel = support_channel()
    team = SimpleNamespace(channel=channel)
    for name in ("lena", "owen", "tina", "pia", "oscar"):
        setattr(team, name, make_agent(name, channel=channel))
    team.maria = make_manager(channel=channel)
    team.carol = make_listen_in_agent(channel=channel)
    team.chat = active_chat(team.lena, channel)
    first = offer(team.chat, team.lena, team.owen)
    services.transfer_accept(transfer=first, by=fresh(team.owen))
    team.pending = offer(team.chat, team.owen, team.tina, note="Knows the billing system")
    team.chat.refresh_from_db()
    return team


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def socket(path, user=None):
    """A connected websocket as the browser opens it: same-site Origin, the agent's session cookie."""
    from helpdesk.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _subprotocol = await communicator.connect(timeout=RECEIVE_TIMEOUT)
    assert connected, f"{path} refused the handshake before accepting it"
    return communicator


async def frame_with(communicator, *texts):
    """Read frames until one contains every one of `texts`; the frames before it are stale states."""
    while True:
        frame = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
        assert frame["type"] == "websocket.send", f"socket ended while waiting for {texts}: {frame}"
        if all(text in frame["text"] for text in texts):
            return frame["text"]


async def close_code(communicator):
    """The code a refused or ended socket is closed with; frames sent before the close are skipped."""
    while True:
        frame = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
        if frame["type"] == "websocket.close":
            return frame.get("code")
