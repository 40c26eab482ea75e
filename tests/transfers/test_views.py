"""Transfers as an agent meets them over HTTP after the chat: what "Recent chat sessions" opens."""

import pytest

from chat.services import listeners, sessions
from tests.factories import logged_in, make_agent
from tests.transfers import active_chat, fresh, offer, support_channel
from transfers import services

pytestmark = pytest.mark.django_db


def recent_sessions_ids(page: str) -> str:
    recent = page[page.index('id="recent-sessions"'):]
    return recent[: recent.index("</ul>")]


@pytest.mark.parametrize("closed_window", [False, True])
def test_an_ended_chat_the_agent_handed_over_opens_from_recent_chat_sessions(closed_window):
    channel = support_channel()
    alice, bob = make_agent("alice", channel=channel), make_agent("bob", channel=channel)
    chat = active_chat(alice, channel)
    services.transfer_accept(transfer=offer(chat, alice, bob), by=fresh(bob))
    chat.refresh_from_db()
    if closed_window:
        listeners.listener_close_window(session=chat, agent=fresh(alice))
    sessions.session_end(session=chat, agent=fresh(bob))
    client = logged_in(alice)

    assert f'data-session-id="{chat.pk}"' in recent_sessions_ids(client.get("/").text)
    transcript = client.get(f"/chats/{chat.pk}/transcript/")

    assert transcript.status_code == 200
    assert 'name="body"' not in transcript.text, "read-only"


def test_the_menu_of_an_ended_chat_offers_create_request_to_its_last_owner():
    """Nothing else is left to do in an ended chat, but the Menu must still be there for Create request."""
    channel = support_channel()
    alice = make_agent("alice", channel=channel)
    chat = active_chat(alice, channel)
    sessions.session_end(session=chat, agent=fresh(alice))

    panel = logged_in(alice).get(f"/chats/{chat.pk}/transcript/").text

    assert ">Menu</button>" in panel
    assert ">Create request</button>" in panel
