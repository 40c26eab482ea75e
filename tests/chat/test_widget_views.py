"""The visitor's widget over HTTP: the forms, starting a chat, the token, and the refusals."""

import re

import pytest
from django.test import Client

from chat.models import ChatSession, Message
from helpdesk.models import Request
from tests.factories import ChannelFactory, active_chat, logged_in, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    """A browser inside a third-party iframe: no cookies, and CSRF checks as strict as in production."""
    return Client(enforce_csrf_checks=True)


def labelled(html, label):
    return re.search(rf"<label[^>]*>{label}</label>", html) is not None


def button(html, name):
    return re.search(rf"<button[^>]*>{name}</button>", html) is not None


# --- The first page -------------------------------------------------------------------------------------


def test_the_widget_shows_the_pre_chat_form_when_an_agent_is_present(support, alice, visitor):
    response = visitor.get("/widget/support/")

    assert response.status_code == 200
    for label in ("Name", "Email", "Question"):
        assert labelled(response.text, label), label
    assert button(response.text, "Start chat")
    assert 'id="offline-form"' not in response.text


def test_the_widget_and_the_workspace_show_no_template_comment_as_text(support, alice, visitor):
    """Django's {# #} holds one line: a longer one is printed on the page, as the announcer's once was."""
    pages = [visitor.get("/widget/support/"), logged_in(alice).get("/")]

    for response in pages:
        assert response.status_code == 200
        assert "{#" not in response.text and "#}" not in response.text


def test_the_widget_shows_the_offline_form_when_every_agent_is_away(support, visitor):
    make_agent("alice", present=False, channel=support)

    response = visitor.get("/widget/support/")

    assert response.status_code == 200
    assert 'id="offline-form"' in response.text
    assert not button(response.text, "Start chat")


@pytest.mark.parametrize("language, offline_text, error_text", [
    ("en", "No connection.", "Something went wrong. Reload the page and try again."),
    ("nl", "Geen verbinding.", "Er is iets misgegaan. Laad de pagina opnieuw en probeer het nog eens."),
    ("sv", "Ingen anslutning.", "Något gick fel. Ladda om sidan och försök igen."),
], ids=["en", "nl", "sv"])
def test_the_widget_carries_its_lines_for_a_lost_connection_and_a_server_error_in_the_visitors_language(
    support, alice, visitor, language, offline_text, error_text
):
    """widget.js shows these instead of a server's error page, or nothing, when a request fails."""
    page = visitor.get("/widget/support/", HTTP_ACCEPT_LANGUAGE=language).text

    body = re.search(r"<body[^>]*>", page).group(0)
    assert f'data-offline-text="{offline_text}"' in body
    assert f'data-error-text="{error_text}"' in body


def test_an_unknown_channel_has_no_widget(visitor):
    assert visitor.get("/widget/nope/").status_code == 404


def test_the_widget_can_be_framed_by_the_companys_site(support, alice, visitor):
    response = visitor.get("/widget/support/")

    assert "X-Frame-Options" not in response.headers
    # The agents' pages, by contrast, refuse to be framed.
    assert Client().get("/accounts/login/").headers.get("X-Frame-Options") == "DENY"


def test_the_widget_sets_no_cookie(support, alice, visitor):
    page = visitor.get("/widget/support/")
    started = visitor.post("/widget/support/start/", {"name": "Vera", "question": "Hi"})

    assert not page.cookies and not started.cookies


# --- Starting a chat ------------------------------------------------------------------------------------


def test_starting_a_chat_needs_no_csrf_token_and_returns_the_chat_with_its_token(support, alice, visitor):
    response = visitor.post(
        "/widget/support/start/", {"name": "Vera", "email": "vera@example.org", "question": "Where is my parcel?"}
    )

    assert response.status_code == 200
    session = ChatSession.objects.get()
    assert session.is_queued and session.visitor_name == "Vera"
    assert f'data-token="{session.token}"' in response.text
    assert f"/ws/widget/{session.token}/" in response.text
    assert "Where is my parcel?" in response.text
    assert "number 1 in the queue" in response.text
    assert "X-Frame-Options" not in response.headers


def test_starting_a_chat_without_a_name_shows_the_form_again_with_the_reason(support, alice, visitor):
    response = visitor.post("/widget/support/start/", {"name": " ", "question": "Hi"})

    assert response.status_code == 400
    assert "Please tell us your name." in response.text
    assert button(response.text, "Start chat")
    assert not ChatSession.objects.exists()


def test_starting_a_chat_when_the_last_agent_just_left_shows_the_offline_form_with_what_was_typed(
    support, visitor
):
    make_agent("alice", present=False, channel=support)

    response = visitor.post(
        "/widget/support/start/",
        {"name": "Vera <Jansen>", "email": "vera@example.org", "question": "Where is my parcel?\nIt is late."},
    )

    assert 'id="offline-form"' in response.text
    form = response.text
    assert re.search(r'<input id="offline-name"[^>]* value="Vera &lt;Jansen&gt;"', form)
    assert re.search(r'<input id="offline-email"[^>]* value="vera@example.org"', form)
    assert re.search(r'<textarea id="offline-message"[^>]*>Where is my parcel\?\nIt is late\.</textarea>', form)
    assert not ChatSession.objects.exists()


TOO_LONG_ADDRESS = "v" * 64 + "@" + ("x" * 63 + ".") * 3 + "org"  # 260 characters: validate_email alone allows 320


@pytest.mark.parametrize("email", [
    "vera", "vera@", "vera at example.org", "vera@example..org", pytest.param(TOO_LONG_ADDRESS, id="260-characters"),
])
def test_starting_a_chat_with_a_malformed_email_address_is_refused_and_nothing_is_stored(
    support, alice, visitor, email
):
    response = visitor.post("/widget/support/start/", {"name": "Vera", "email": email, "question": "Hi"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert button(response.text, "Start chat")
    assert not ChatSession.objects.exists()


def test_the_refusal_of_a_malformed_email_address_is_in_the_visitors_language(support, alice, visitor):
    response = visitor.post(
        "/widget/support/start/", {"name": "Vera", "email": "vera@", "question": "Hoi"}, HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert response.status_code == 400
    assert "Vul een geldig e-mailadres in." in response.text


def test_a_chat_can_still_start_without_an_email_address(support, alice, visitor):
    response = visitor.post("/widget/support/start/", {"name": "Vera", "email": "  ", "question": "Hi"})

    assert response.status_code == 200
    assert ChatSession.objects.get().visitor_email == ""


def test_a_reload_resumes_the_chat_named_by_its_token(support, alice, visitor):
    session = active_chat(support, alice, visitor_name="Vera")
    Message.objects.create(session=session, kind=Message.Kind.AGENT, author=alice, body="Hello Vera")

    response = visitor.get(f"/widget/support/chat/{session.token}/")

    assert response.status_code == 200
    assert "Hello Vera" in response.text
    assert "X-Frame-Options" not in response.headers


# --- The offline form -----------------------------------------------------------------------------------


def test_a_message_left_in_the_offline_form_shows_on_the_agents_dashboard(support, visitor):
    away_agent = make_agent("alice", present=False, channel=support)

    response = visitor.post(
        "/widget/support/offline/",
        {"name": "Vera", "email": "vera@example.org", "message": "Please call me back about order 4711."},
    )

    assert response.status_code == 200
    request = Request.objects.get()
    assert (request.source, request.channel, request.email) == (Request.Source.OFFLINE_FORM, support, "vera@example.org")
    agent = Client()
    agent.force_login(away_agent)
    dashboard = agent.get("/").text
    assert "Please call me back about order 4711." in dashboard
    assert "vera@example.org" in dashboard


def test_the_offline_form_needs_an_email_address(support, visitor):
    response = visitor.post("/widget/support/offline/", {"name": "Vera", "email": "", "message": "Call me"})

    assert response.status_code == 400
    assert "email" in response.text.lower()
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    "email", ["vera", "vera@example", "vera@@example.org", pytest.param(TOO_LONG_ADDRESS, id="260-characters")]
)
def test_the_offline_form_refuses_a_malformed_email_address_and_stores_nothing(support, visitor, email):
    make_agent("alice", present=False, channel=support)

    response = visitor.post("/widget/support/offline/", {"name": "Vera", "email": email, "message": "Call me"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert 'id="offline-form"' in response.text and "Call me" in response.text
    assert not Request.objects.exists()


def test_an_offline_message_is_not_shown_to_agents_of_another_channel(support, visitor):
    sales_agent = make_agent("sam", present=False, channel=ChannelFactory(slug="sales"))
    visitor.post("/widget/support/offline/", {"name": "Vera", "email": "vera@example.org", "message": "Hi support"})

    agent = Client()
    agent.force_login(sales_agent)

    assert "Hi support" not in agent.get("/").text


# --- The token ------------------------------------------------------------------------------------------


def test_an_unknown_token_is_not_found(support, alice, visitor):
    assert visitor.get("/widget/support/chat/not-a-real-token/").status_code == 404
    assert visitor.post("/widget/support/chat/not-a-real-token/messages/", {"body": "Hi"}).status_code == 404
    assert visitor.post("/widget/support/chat/not-a-real-token/end/").status_code == 404


def test_a_token_used_under_another_channel_is_not_found(support, alice, visitor):
    ChannelFactory(slug="sales")
    session = active_chat(support, alice)

    assert visitor.get(f"/widget/sales/chat/{session.token}/").status_code == 404
    assert visitor.post(f"/widget/sales/chat/{session.token}/messages/", {"body": "Hi"}).status_code == 404
    assert visitor.post(f"/widget/sales/chat/{session.token}/end/").status_code == 404
    session.refresh_from_db()
    assert session.is_active and not session.messages.exists()


# --- Writing and ending ---------------------------------------------------------------------------------


def test_the_visitor_sends_a_message_without_csrf_token(support, alice, visitor):
    session = active_chat(support, alice)

    response = visitor.post(f"/widget/support/chat/{session.token}/messages/", {"body": "Hello"})

    assert response.status_code == 204
    assert session.messages.get().body == "Hello"


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001])
def test_an_empty_or_oversized_visitor_message_is_refused(support, alice, visitor, body):
    session = active_chat(support, alice)

    response = visitor.post(f"/widget/support/chat/{session.token}/messages/", {"body": body})

    assert response.status_code == 400
    assert response.text in ("Type a message first.", "A message can be at most 4000 characters long.")
    assert not session.messages.exists()


def test_a_5_mb_visitor_message_is_refused_and_nothing_is_stored(support, alice, visitor):
    session = active_chat(support, alice)

    response = visitor.post(f"/widget/support/chat/{session.token}/messages/", {"body": "x" * (5 * 1024 * 1024)})

    assert 400 <= response.status_code < 500
    assert not session.messages.exists()


def test_after_the_visitor_ends_the_chat_they_can_no_longer_write(support, alice, visitor):
    session = active_chat(support, alice)

    ended = visitor.post(f"/widget/support/chat/{session.token}/end/")
    assert ended.status_code == 200
    assert "The chat has ended." in ended.text

    response = visitor.post(f"/widget/support/chat/{session.token}/messages/", {"body": "One more thing"})

    assert response.status_code == 409
    assert response.text == "This chat has ended."
    assert not session.messages.exclude(kind=Message.Kind.EVENT).exists()


def test_ending_an_ended_chat_again_is_a_conflict(support, alice, visitor):
    session = active_chat(support, alice)
    visitor.post(f"/widget/support/chat/{session.token}/end/")

    assert visitor.post(f"/widget/support/chat/{session.token}/end/").status_code == 409


@pytest.mark.parametrize("path", ["/widget/support/start/", "/widget/support/offline/"])
def test_widget_forms_refuse_a_get_request(support, alice, visitor, path):
    assert visitor.get(path).status_code == 405
