"""The agent workspace over HTTP: who gets in, which verbs are allowed, and the answers people see."""

import re

import pytest

from chat.models import Message
from chat.services.messages import message_post_by_visitor
from helpdesk.templatetags.people import person
from tests.factories import ChannelFactory, ChatSessionFactory, UserFactory, active_chat, logged_in, make_agent
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


# --- Who gets in ---------------------------------------------------------------------------------------


def test_the_workspace_sends_a_visitor_who_is_not_logged_in_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_workspace_opens_for_an_agent(alice):
    response = logged_in(alice).get("/")

    assert response.status_code == 200
    assert 'id="incoming-badge"' in response.text
    assert "Get next in queue" in response.text


def test_the_workspace_opens_a_pending_offer_by_itself_as_when_it_arrived(support, alice, bob):
    offered = active_chat(support, alice)
    Transfer.objects.create(session=offered, from_agent=alice, to_agent=bob, requested_by=alice)

    offer_page, alice_page = logged_in(bob).get("/").text, logged_in(alice).get("/").text

    opener = re.search(r'<div id="panel-opener"[^>]*>', offer_page).group(0)
    assert f'hx-get="/chats/{offered.pk}/"' in opener and 'hx-trigger="load' in opener
    assert '<div id="panel-opener" hidden></div>' in alice_page, "nothing is offered to the sender"


def test_a_chat_panel_names_its_own_address_for_the_page_to_open_it_again_after_a_reload(support, alice):
    chat = active_chat(support, alice)

    response = logged_in(alice).get(f"/chats/{chat.pk}/")

    assert f'data-panel-url="/chats/{chat.pk}/"' in response.text


def test_a_logged_in_user_on_no_channel_team_is_refused_the_workspace():
    outsider = UserFactory(username="outsider")

    response = logged_in(outsider).get("/")

    assert response.status_code == 403
    assert "for agents" in response.text


def test_a_user_on_no_channel_team_cannot_act_on_a_chat_either(support):
    outsider = UserFactory(username="outsider")
    session = ChatSessionFactory(channel=support)

    response = logged_in(outsider).post(f"/chats/{session.pk}/answer/")

    assert response.status_code == 403
    session.refresh_from_db()
    assert session.is_queued


@pytest.mark.parametrize("path", [
    "/chats/{id}/answer/", "/chats/next/", "/chats/{id}/messages/", "/chats/{id}/end/", "/chats/{id}/close-window/",
])
def test_actions_refuse_a_get_request(support, alice, path):
    session = ChatSessionFactory(channel=support)

    response = logged_in(alice).get(path.format(id=session.pk))

    assert response.status_code == 405
    session.refresh_from_db()
    assert session.is_queued


# --- CSRF ----------------------------------------------------------------------------------------------


def test_an_agent_action_without_a_csrf_token_is_refused(support, alice):
    session = ChatSessionFactory(channel=support)
    client = logged_in(alice, enforce_csrf_checks=True)

    response = client.post(f"/chats/{session.pk}/answer/")

    assert response.status_code == 403
    session.refresh_from_db()
    assert session.is_queued


def test_an_agent_action_with_the_pages_csrf_token_goes_through(support, alice):
    session = ChatSessionFactory(channel=support)
    client = logged_in(alice, enforce_csrf_checks=True)
    client.get("/")  # the page hands out the token, as in the browser

    response = client.post(
        f"/chats/{session.pk}/answer/", headers={"X-CSRFToken": client.cookies["csrftoken"].value}
    )

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.owner_id == alice.pk


# --- Answering and the queue ---------------------------------------------------------------------------


def test_answering_an_incoming_chat_opens_it_in_the_panel(support, alice):
    session = ChatSessionFactory(channel=support, visitor_name="Vera")
    Message.objects.create(session=session, kind=Message.Kind.VISITOR, body="Where is my parcel?")

    response = logged_in(alice).post(f"/chats/{session.pk}/answer/")

    assert response.status_code == 200
    assert 'id="chat-panel"' in response.text
    assert "Where is my parcel?" in response.text
    assert re.search(r"<label[^>]*>Message</label>", response.text)
    assert re.search(r"<button[^>]*>Send</button>", response.text)


def test_answering_a_chat_a_colleague_already_answered_is_a_conflict_that_names_them(support, alice, bob):
    session = ChatSessionFactory(channel=support)
    logged_in(alice).post(f"/chats/{session.pk}/answer/")

    response = logged_in(bob).post(f"/chats/{session.pk}/answer/")

    assert response.status_code == 409
    assert response.text == f"{person(alice)} already answered this chat."
    session.refresh_from_db()
    assert session.owner_id == alice.pk


def test_get_next_in_queue_opens_the_longest_waiting_chat(support, alice):
    first = ChatSessionFactory(channel=support, visitor_name="First")
    ChatSessionFactory(channel=support, visitor_name="Second")

    response = logged_in(alice).post("/chats/next/")

    assert response.status_code == 200
    assert f'data-session-id="{first.pk}"' in response.text
    first.refresh_from_db()
    assert first.owner_id == alice.pk


def test_get_next_in_queue_with_an_empty_queue_says_nobody_is_waiting(alice):
    response = logged_in(alice).post("/chats/next/")

    assert response.status_code == 409
    assert response.text == "Nobody is waiting in the queue."


# --- The chat panel -------------------------------------------------------------------------------------


def test_markup_in_a_visitor_message_is_shown_as_text_in_the_panel(support, alice):
    session = active_chat(support, alice)
    message_post_by_visitor(session=session, body='<script>alert("hi")</script><b>bold</b>')

    response = logged_in(alice).get(f"/chats/{session.pk}/")

    assert response.status_code == 200
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "<script>alert" not in response.text
    assert "<b>bold" not in response.text


def test_markup_in_a_visitor_name_is_shown_as_text_in_the_workspace(support, alice):
    ChatSessionFactory(channel=support, visitor_name="<img src=x onerror=alert(1)>")

    response = logged_in(alice).get("/")

    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert "<img src=x" not in response.text


def test_an_agent_cannot_open_a_colleagues_chat(support, alice, bob):
    session = active_chat(support, alice)

    response = logged_in(bob).get(f"/chats/{session.pk}/")

    assert response.status_code == 403
    assert "Can listen in" in response.text


def test_an_agent_cannot_open_a_chat_of_a_channel_they_are_not_on(alice):
    session = ChatSessionFactory(channel=ChannelFactory(slug="sales"))

    assert logged_in(alice).get(f"/chats/{session.pk}/").status_code == 404


def test_a_supervisor_can_open_a_colleagues_chat_read_only(support, alice):
    carol = make_agent("carol", channel=support, can_listen_in=True)
    session = active_chat(support, alice)

    response = logged_in(carol).get(f"/chats/{session.pk}/")

    assert response.status_code == 200
    assert "You are listening in." in response.text
    assert not re.search(r"<button[^>]*>Send</button>", response.text)


# --- Sending -------------------------------------------------------------------------------------------


def test_the_owner_sends_a_message(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/messages/", {"body": "How can I help?"})

    assert response.status_code == 204
    assert session.messages.get().body == "How can I help?"


def test_an_agent_who_is_not_the_owner_cannot_send_to_the_chat(support, alice, bob):
    session = active_chat(support, alice)

    response = logged_in(bob).post(f"/chats/{session.pk}/messages/", {"body": "Let me help"})

    assert response.status_code == 403
    assert response.text == "Only the agent who owns this chat can reply to it."
    assert not session.messages.exists()


def test_an_empty_message_is_refused_with_a_clear_text(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/messages/", {"body": "   "})

    assert response.status_code == 400
    assert response.text == "Type a message first."
    assert not session.messages.exists()


def test_a_message_of_4001_characters_is_refused_with_the_limit(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/messages/", {"body": "x" * 4001})

    assert response.status_code == 400
    assert "4000" in response.text
    assert not session.messages.exists()


def test_a_5_mb_message_is_refused_and_nothing_is_stored(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/messages/", {"body": "x" * (5 * 1024 * 1024)})

    assert 400 <= response.status_code < 500
    assert not session.messages.exists()


def test_sending_to_an_ended_chat_is_a_conflict(support, alice):
    session = active_chat(support, alice)
    client = logged_in(alice)
    assert client.post(f"/chats/{session.pk}/end/").status_code == 204

    response = client.post(f"/chats/{session.pk}/messages/", {"body": "Hello?"})

    assert response.status_code == 409
    assert response.text == "This chat has ended."


def test_sending_to_a_chat_that_does_not_exist_is_not_found(alice):
    assert logged_in(alice).post("/chats/999999/messages/", {"body": "Hello"}).status_code == 404


# --- Ending and closing ----------------------------------------------------------------------------------


def test_the_owner_ends_a_chat(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/end/")

    assert response.status_code == 204
    session.refresh_from_db()
    assert session.is_ended


def test_a_colleague_cannot_end_someone_elses_chat(support, alice, bob):
    session = active_chat(support, alice)

    response = logged_in(bob).post(f"/chats/{session.pk}/end/")

    assert response.status_code == 403
    assert response.text == "Only the agent who owns this chat can end it."
    session.refresh_from_db()
    assert session.is_active


def test_close_window_without_listening_to_the_chat_is_refused(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/close-window/")

    assert response.status_code == 403
    assert response.text == "You are not listening to this chat."


def test_an_ended_chat_shows_in_recent_chat_sessions_and_its_transcript_opens(support, alice):
    session = active_chat(support, alice, visitor_name="Vera")
    client = logged_in(alice)
    client.post(f"/chats/{session.pk}/messages/", {"body": "Goodbye"})
    client.post(f"/chats/{session.pk}/end/")

    page = client.get("/").text
    recent = page[page.index('id="recent-sessions"'):]
    assert f'data-session-id="{session.pk}"' in recent[: recent.index("</ul>")]
    transcript = client.get(f"/chats/{session.pk}/transcript/")
    assert transcript.status_code == 200
    assert "Goodbye" in transcript.text


@pytest.mark.django_db(transaction=True)
def test_a_message_is_kept_and_acknowledged_when_the_live_push_fails(support, alice, monkeypatch, caplog):
    """The write is committed before the push; an error page would make the agent send it again."""
    from channels.layers import get_channel_layer

    async def channel_layer_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(get_channel_layer(), "group_send", channel_layer_down)
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/messages/", {"body": "Still here"})

    assert response.status_code == 204
    assert list(session.messages.filter(kind=Message.Kind.AGENT).values_list("body", flat=True)) == ["Still here"]
    assert "Live push failed" in caplog.text
