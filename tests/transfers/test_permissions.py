"""Who may do what to a chat that is being handed over, over HTTP and on the chat panel's websocket.

The chat: lena answered it and handed it to owen (lena listens now); owen has offered it to tina.
Actors: owner (owen), target (tina), listener (lena), manager (maria, Managers group), supervisor (carol,
"Can listen in"), other (oscar, an agent on the channel), visitor (knows the chat's token, no login),
anonymous (no login), and a logged-in user who is no agent at all.
"""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.test import Client

from chat.models import ChatSession, Listener, Message
from chat.services import listeners
from tests.factories import UserFactory
from tests.transfers import fresh, frame_with, handed_over_team, close_code, socket
from transfers import services
from transfers.models import Transfer

ACTORS = ["owner", "target", "listener", "manager", "supervisor", "other", "visitor", "anonymous", "non_agent"]
PERSON = {
    "owner": "owen", "target": "tina", "listener": "lena", "manager": "maria", "supervisor": "carol",
    "other": "oscar",
}


def start_transfer(team):
    # Only one transfer can wait at a time: take owen's offer back so a new one can be started.
    services.transfer_cancel(transfer=team.pending, by=fresh(team.owen))
    return "post", f"/chats/{team.chat.pk}/transfer/", {"to_agent": team.pia.pk, "note": "Speaks Dutch"}


ACTIONS = {
    "start transfer": start_transfer,
    "accept": lambda team: ("post", f"/transfers/{team.pending.pk}/accept/", {}),
    "reject": lambda team: ("post", f"/transfers/{team.pending.pk}/reject/", {}),
    "cancel": lambda team: ("post", f"/transfers/{team.pending.pk}/cancel/", {}),
    "take over": lambda team: ("post", f"/chats/{team.chat.pk}/take-over/", {}),
    "send message": lambda team: ("post", f"/chats/{team.chat.pk}/messages/", {"body": "Hello from me"}),
    "end chat": lambda team: ("post", f"/chats/{team.chat.pk}/end/", {}),
    "close window": lambda team: ("post", f"/chats/{team.chat.pk}/close-window/", {}),
    "open panel": lambda team: ("get", f"/chats/{team.chat.pk}/", {}),
}

# Who is allowed, with the status they get; everyone else is refused.
ALLOWED = {
    "start transfer": {"owner": 204, "manager": 204},
    "accept": {"target": 200},
    "reject": {"target": 200},
    "cancel": {"owner": 204, "manager": 204},
    "take over": {"manager": 200},
    "send message": {"owner": 204},
    "end chat": {"owner": 204, "manager": 204},
    "close window": {"listener": 200, "manager": 200, "supervisor": 200},
    "open panel": {"owner": 200, "target": 200, "listener": 200, "manager": 200, "supervisor": 200},
}

# What each allowed action, by this person, visibly changed.
EFFECTS = {
    "start transfer": lambda team, _user: Transfer.objects.filter(
        session=team.chat, status="pending", to_agent=team.pia, note="Speaks Dutch"
    ).exists(),
    "accept": lambda team, _user: ChatSession.objects.get(pk=team.chat.pk).owner_id == team.tina.pk,
    "reject": lambda team, _user: Transfer.objects.get(pk=team.pending.pk).status == "rejected",
    "cancel": lambda team, _user: Transfer.objects.get(pk=team.pending.pk).status == "cancelled",
    "take over": lambda team, _user: ChatSession.objects.get(pk=team.chat.pk).owner_id == team.maria.pk,
    "send message": lambda team, _user: Message.objects.filter(session=team.chat, body="Hello from me").exists(),
    "end chat": lambda team, _user: ChatSession.objects.get(pk=team.chat.pk).is_ended,
    "close window": lambda team, user: not Listener.objects.filter(
        session=team.chat, agent=user, closed_at__isnull=True
    ).exists(),
    "open panel": lambda team, _user: True,
}


def chat_state(team):
    """Everything a refused request must leave as it was."""
    chat = ChatSession.objects.get(pk=team.chat.pk)
    return (
        chat.owner_id,
        chat.status,
        sorted(Transfer.objects.filter(session=chat).values_list("pk", "status", "to_agent_id")),
        Message.objects.filter(session=chat).count(),
        sorted(Listener.objects.filter(session=chat, closed_at__isnull=True).values_list("agent_id", "reason")),
    )


def client_for(team, actor):
    client = Client()
    if actor in PERSON:
        client.force_login(getattr(team, PERSON[actor]))
    elif actor == "non_agent":
        client.force_login(UserFactory(username="nina"))
    return client


def is_sentence(text):
    text = text.strip()
    return bool(text) and text[0].isupper() and text.endswith((".", "!", "?")) and "<" not in text


@pytest.mark.django_db
class TestPermissionMatrixOverHttp:
    """81 requests against one chat: it is built once for the class, and each test's own changes are
    rolled back after it (the test runs in a savepoint inside the class's transaction)."""

    @pytest.fixture(scope="class")
    @classmethod
    def team(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            team = handed_over_team()
            for supervisor in (team.carol, team.maria):  # as their panel sockets record it; Close window ends it
                listeners.listen_in_start(session=team.chat, agent=fresh(supervisor))
            yield team
            transaction.set_rollback(True)

    @pytest.mark.parametrize("actor", ACTORS)
    @pytest.mark.parametrize("action", list(ACTIONS))
    def test_only_the_right_people_can_act(self, team, action, actor):
        method, url, data = ACTIONS[action](team)
        if actor == "visitor":
            data = {**data, "token": team.chat.token}  # the visitor's token is no key to the agents' side
        client = client_for(team, actor)
        before = chat_state(team)

        if method == "get":
            response = client.get(url, data)
        else:
            response = client.post(url, data)

        body = response.content.decode()
        if actor in ALLOWED[action]:
            assert response.status_code == ALLOWED[action][actor], body
            assert EFFECTS[action](team, getattr(team, PERSON[actor])), f"{actor} got {response.status_code} but nothing changed"
            if response.status_code == 200:
                assert 'id="chat-panel"' in body
            return
        if actor in ("visitor", "anonymous"):
            assert response.status_code == 302
            assert response.url.startswith("/accounts/login/?next=")
        else:
            assert response.status_code == 403, body
            assert is_sentence(body), f"refusal body is not a sentence: {body[:200]!r}"
        assert chat_state(team) == before, f"a refused {action} by {actor} changed the chat"


@pytest.mark.django_db
def test_a_forged_panel_url_is_refused_with_a_reason_and_a_missing_chat_is_not_found():
    team = handed_over_team()
    client = client_for(team, "other")

    forbidden = client.get(f"/chats/{team.chat.pk}/")
    missing = client.get("/chats/999999/")

    assert forbidden.status_code == 403
    assert "Can listen in" in forbidden.content.decode()
    assert (missing.status_code, missing.content.decode()) == (404, "No such chat.")
    assert not Listener.objects.filter(session=team.chat, agent=team.oscar).exists()


@pytest.mark.django_db
def test_supervisor_fetching_the_panel_sees_it_read_only_and_the_get_records_nothing():
    """The panel's socket records the visit (tests/transfers/test_consumers.py): a GET changes nothing,
    so a forged link in another site cannot write the record."""
    team = handed_over_team()
    services.transfer_cancel(transfer=team.pending, by=fresh(team.owen))

    response = client_for(team, "supervisor").get(f"/chats/{team.chat.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "You are listening in. The visitor and the agent are not told." in body
    assert 'name="body"' not in body
    assert not Listener.objects.filter(reason=Listener.Reason.SUPERVISOR).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["owner", "target", "listener", "manager", "supervisor"])
def test_panel_offers_only_the_buttons_the_viewer_may_use(actor):
    team = handed_over_team()

    body = client_for(team, actor).get(f"/chats/{team.chat.pk}/").content.decode()

    buttons = {
        "Accept transfer": "target",
        "Reject transfer": "target",
        "Cancel transfer": {"owner", "manager"},
        "Take over": "manager",
        "End chat": {"owner", "manager"},
        "Close window": {"listener", "manager", "supervisor"},
        'name="body"': "owner",
    }
    for text, who in buttons.items():
        shown = text in body
        assert shown == (actor in ({who} if isinstance(who, str) else who)), f"{text!r} for {actor}"


@pytest.mark.django_db
def test_manager_of_another_channel_cannot_touch_this_chat():
    from tests.factories import ChannelFactory, make_agent

    team = handed_over_team()
    other_lead = make_agent("lars", channel=ChannelFactory(slug="sales"), is_manager=True)
    client = Client()
    client.force_login(other_lead)
    before = chat_state(team)

    assert client.post(f"/chats/{team.chat.pk}/take-over/").status_code == 403
    assert client.post(f"/transfers/{team.pending.pk}/cancel/").status_code == 403
    assert client.get(f"/chats/{team.chat.pk}/").status_code == 404
    assert chat_state(team) == before


# The chat panel's websocket -----------------------------------------------------------------------------

SOCKET_ALLOWED = {"owner", "target", "listener", "manager", "supervisor"}
SOCKET_REFUSED = {"other": 4403, "non_agent": 4403, "visitor": 4401, "anonymous": 4401}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("actor", ACTORS)
async def test_permission_matrix_on_the_chat_panel_socket(actor):
    team = await database_sync_to_async(handed_over_team)()
    user = None
    if actor in PERSON:
        user = getattr(team, PERSON[actor])
    elif actor == "non_agent":
        user = await database_sync_to_async(UserFactory)(username="nina")
    query = f"?token={team.chat.token}" if actor == "visitor" else ""

    communicator = await socket(f"/ws/chats/{team.chat.pk}/{query}", user)
    try:
        if actor in SOCKET_ALLOWED:
            first = await frame_with(communicator, f'id="panel-header-{team.chat.pk}"')
            assert team.chat.visitor_name in first
        else:
            assert await close_code(communicator) == SOCKET_REFUSED[actor]
    finally:
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_visitor_token_opens_only_the_visitors_own_socket():
    team = await database_sync_to_async(handed_over_team)()

    widget = await socket(f"/ws/widget/{team.chat.token}/")
    try:
        owen = team.owen.first_name or team.owen.username
        assert f"You are chatting with {owen}." in await frame_with(widget, 'id="widget-status"')
    finally:
        await widget.disconnect()
    forged = await socket("/ws/widget/not-a-real-token/")
    try:
        assert await close_code(forged) == 4404
    finally:
        await forged.disconnect()
