"""After the chat: the post-chat form (rating, comment, transcript by email) and "Return to chat"."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession, Message
from chat.services.feedback import feedback_give
from chat.services.sessions import Offline, queue_take_next, session_reactivate
from helpdesk.errors import Conflict, Invalid, NotAllowed
from helpdesk.models import AgentProfile
from live import events
from tests.factories import ChannelFactory, ChatSessionFactory, MessageFactory, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def support():
    return ChannelFactory(slug="support", name="Support", post_chat_form=True, transcript_by_email=True)


@pytest.fixture
def alice(support):
    user = make_agent("alice", channel=support)
    user.first_name, user.last_name = "Alice", "Andersson"
    user.save()
    return user


def ended_chat(channel, owner=None, **fields):
    fields = {"visitor_name": "Vera", "visitor_email": "vera@example.org", **fields}
    return ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ENDED,
        answered_at=timezone.now() if owner else None, ended_at=timezone.now(), **fields,
    )


def set_away(user):
    AgentProfile.objects.filter(user=user).update(status=AgentProfile.Status.AWAY)


def widget_url(session, action=""):
    return f"/widget/{session.channel.slug}/chat/{session.token}/{action}"


# --- Rating and comment --------------------------------------------------------------------------------


def test_the_visitors_rating_and_comment_are_stored(support, alice):
    session = ended_chat(support, alice)

    feedback_give(session=session, rating="4", comment="  Quick and friendly.  ")

    session.refresh_from_db()
    assert session.rating == 4
    assert session.rating_comment == "Quick and friendly."


@pytest.mark.parametrize("rating", [None, "", "0", "6", "five", "4.5"])
def test_a_rating_must_be_one_to_five_stars(support, alice, rating):
    session = ended_chat(support, alice)

    with pytest.raises(Invalid, match="from 1 to 5"):
        feedback_give(session=session, rating=rating, comment="Nice")

    session.refresh_from_db()
    assert session.rating is None and session.rating_comment == ""


def test_a_comment_of_2000_characters_is_accepted(support, alice):
    session = ended_chat(support, alice)

    feedback_give(session=session, rating=5, comment="x" * 2000)

    session.refresh_from_db()
    assert len(session.rating_comment) == 2000


def test_a_comment_longer_than_2000_characters_is_refused_and_nothing_is_stored(support, alice):
    session = ended_chat(support, alice)

    with pytest.raises(Invalid, match="at most 2000 characters"):
        feedback_give(session=session, rating=5, comment="x" * 2001)

    session.refresh_from_db()
    assert session.rating is None


def test_feedback_is_refused_while_the_chat_is_still_going(support, alice):
    session = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ACTIVE)

    with pytest.raises(Conflict, match="not ended"):
        feedback_give(session=session, rating=5)


def test_feedback_is_refused_on_a_channel_without_a_post_chat_form(alice):
    quiet = ChannelFactory(slug="quiet", post_chat_form=False)
    session = ended_chat(quiet, alice)

    with pytest.raises(Conflict, match="no post-chat form"):
        feedback_give(session=session, rating=5)


def test_feedback_can_be_sent_only_once(support, alice):
    session = ended_chat(support, alice)
    feedback_give(session=session, rating=5, comment="Great")

    with pytest.raises(Conflict, match="already sent"):
        feedback_give(session=session, rating=1, comment="Changed my mind")

    session.refresh_from_db()
    assert (session.rating, session.rating_comment) == (5, "Great")


# --- The transcript by email ---------------------------------------------------------------------------


def chat_with_transcript(channel, owner, language):
    session = ended_chat(channel, owner, visitor_language=language, question="")
    ChatSession.objects.filter(pk=session.pk).update(
        created_at=datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC)
    )
    session.refresh_from_db()
    MessageFactory(session=session, body="Where is my order?")
    MessageFactory(session=session, kind=Message.Kind.AGENT, author=owner, body="It ships today.")
    Message.objects.create(session=session, kind=Message.Kind.EVENT, event=Message.Event.CHAT_ENDED)
    return session


@pytest.mark.parametrize(
    "language, date", [("en", "March 5, 2026"), ("nl", "5 maart 2026"), ("sv", "5 mars 2026")]
)
def test_the_transcript_is_emailed_in_the_visitors_language_once_the_feedback_is_stored(
    support, alice, language, date, mailoutbox, django_capture_on_commit_callbacks
):
    session = chat_with_transcript(support, alice, language)

    with django_capture_on_commit_callbacks(execute=True):
        feedback_give(session=session, rating=5, send_transcript=True)
        assert mailoutbox == []  # nothing leaves before the commit

    [email] = mailoutbox
    assert email.to == ["vera@example.org"]
    assert email.extra_headers["Content-Language"] == language
    assert date in email.body  # the date is written the way the visitor's language writes it
    assert "Where is my order?" in email.body
    assert "Alice: It ships today." in email.body
    assert "Support" in email.subject


@pytest.mark.parametrize("language, subject, lines", [
    ("nl", "Uw chat met Support", [
        "Hallo Vera,", "Hier is het transcript van uw chat met Support op 5 maart 2026.", "U: Where is my order?",
        "Alice: It ships today.", "De chat is beëindigd.", "Bedankt dat u contact met ons hebt opgenomen!",
    ]),
    ("sv", "Din chatt med Support", [
        "Hej Vera!", "Här är utskriften av din chatt med Support den 5 mars 2026.", "Du: Where is my order?",
        "Alice: It ships today.", "Chatten har avslutats.", "Tack för att du kontaktade oss!",
    ]),
])
def test_every_word_of_the_transcript_email_is_in_the_visitors_language(
    support, alice, language, subject, lines, mailoutbox, django_capture_on_commit_callbacks
):
    """The template's own sentences are translated too, not only the date: no English line is left."""
    session = chat_with_transcript(support, alice, language)

    with django_capture_on_commit_callbacks(execute=True):
        feedback_give(session=session, rating=5, send_transcript=True)

    [email] = mailoutbox
    assert email.subject == subject
    for line in lines:
        assert line in email.body
    for english in ["Your chat", "Hello", "Here is the transcript", "You:", "The chat has ended", "Thank you"]:
        assert english not in email.body


def test_no_transcript_is_emailed_when_the_visitor_does_not_ask_for_it(
    support, alice, mailoutbox, django_capture_on_commit_callbacks
):
    session = chat_with_transcript(support, alice, "en")

    with django_capture_on_commit_callbacks(execute=True):
        feedback_give(session=session, rating=5, send_transcript=False)

    assert mailoutbox == []


def test_a_transcript_request_is_refused_where_the_channel_does_not_send_transcripts(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    channel = ChannelFactory(slug="no-mail", post_chat_form=True, transcript_by_email=False)
    session = chat_with_transcript(channel, alice, "en")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotAllowed):
        feedback_give(session=session, rating=5, send_transcript=True)

    assert mailoutbox == []
    session.refresh_from_db()
    assert session.rating is None


def test_a_transcript_request_without_any_address_is_refused_and_nothing_is_stored(
    support, alice, mailoutbox, django_capture_on_commit_callbacks
):
    session = ended_chat(support, alice, visitor_email="")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Invalid, match="email address"):
        feedback_give(session=session, rating=5, send_transcript=True)

    assert mailoutbox == []
    session.refresh_from_db()
    assert session.rating is None


def test_the_form_offers_the_transcript_to_the_address_given_before_the_chat(support, alice):
    no_mail = ChannelFactory(slug="no-mail", post_chat_form=True, transcript_by_email=False)
    offered = Client().get(widget_url(ended_chat(support, alice))).text
    no_address = Client().get(widget_url(ended_chat(support, alice, visitor_email=""))).text

    assert "Email me the transcript at vera@example.org" in offered
    assert 'name="email"' not in offered  # no address of the visitor's choosing after the chat
    assert "Email me the transcript" not in no_address
    assert "Email me the transcript" not in Client().get(widget_url(ended_chat(no_mail, alice))).text


# --- The form over HTTP --------------------------------------------------------------------------------


def test_an_ended_chat_shows_the_post_chat_form_with_five_star_choices(support, alice):
    page = Client().get(widget_url(ended_chat(support, alice))).text

    assert "Send feedback" in page and "Return to chat" in page
    for label in ("1 star", "2 stars", "3 stars", "4 stars", "5 stars"):
        assert label in page


def test_a_channel_without_a_post_chat_form_shows_neither_the_form_nor_return_to_chat(alice):
    quiet = ChannelFactory(slug="quiet", post_chat_form=False)

    page = Client().get(widget_url(ended_chat(quiet, alice))).text

    assert "Send feedback" not in page and "Return to chat" not in page
    assert "Start a new chat" in page


def test_the_visitor_sends_feedback_with_the_chat_token_alone_from_a_framed_page(support, alice):
    session = ended_chat(support, alice)
    visitor = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token: the token in the URL names the chat

    response = visitor.post(widget_url(session, "feedback/"), {"rating": "5", "comment": "Thanks!"})

    assert response.status_code == 200
    assert "Thank you for your feedback!" in response.text
    assert "Send feedback" not in response.text
    assert "X-Frame-Options" not in response
    session.refresh_from_db()
    assert (session.rating, session.rating_comment) == (5, "Thanks!")


def test_a_refused_feedback_answers_with_its_reason(support, alice):
    session = ended_chat(support, alice)

    response = Client().post(widget_url(session, "feedback/"), {"comment": "No stars"})

    assert response.status_code == 400
    assert "Choose a rating from 1 to 5 stars." in response.text


def test_a_forged_token_can_neither_give_feedback_nor_reactivate(support, alice):
    session = ended_chat(support, alice)
    forged = f"/widget/support/chat/{'x' * 43}/"

    assert Client().post(forged + "feedback/", {"rating": "1"}).status_code == 404
    assert Client().post(forged + "reactivate/").status_code == 404
    session.refresh_from_db()
    assert session.rating is None and session.is_ended


# --- Return to chat ------------------------------------------------------------------------------------


def test_returning_to_the_chat_goes_back_to_the_owner_who_is_present(support, alice):
    session = ended_chat(support, alice)

    session_reactivate(session=session)

    session.refresh_from_db()
    assert session.status == ChatSession.Status.ACTIVE
    assert session.owner == alice
    assert session.reactivated_at is not None and session.ended_at is None
    last = session.messages.order_by("id").last()
    assert (last.kind, last.event) == (Message.Kind.EVENT, Message.Event.CHAT_REACTIVATED)


def test_returning_when_the_owner_is_away_puts_the_chat_in_the_queue_without_an_owner(support, alice, bob):
    session = ended_chat(support, alice)
    set_away(alice)

    session_reactivate(session=session)

    session.refresh_from_db()
    assert session.status == ChatSession.Status.QUEUED
    assert session.owner is None
    assert session.reactivated_at is not None


def test_a_chat_that_ended_before_anyone_answered_returns_to_the_queue(support, alice):
    session = ended_chat(support, owner=None)

    session_reactivate(session=session)

    session.refresh_from_db()
    assert (session.status, session.owner) == (ChatSession.Status.QUEUED, None)


def test_returning_is_refused_when_nobody_is_present_as_a_new_chat_would_be(support, alice):
    session = ended_chat(support, alice)
    set_away(alice)

    with pytest.raises(Offline):
        session_reactivate(session=session)

    session.refresh_from_db()
    assert session.is_ended


def test_returning_is_refused_on_a_channel_without_a_post_chat_form(alice):
    quiet = ChannelFactory(slug="quiet", post_chat_form=False)
    make_agent("alice", channel=quiet)
    session = ended_chat(quiet, alice)

    with pytest.raises(Conflict, match="cannot be reactivated"):
        session_reactivate(session=session)

    session.refresh_from_db()
    assert session.is_ended


def test_returning_to_a_chat_that_has_not_ended_is_refused(support, alice):
    session = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ACTIVE)

    with pytest.raises(Conflict, match="has not ended"):
        session_reactivate(session=session)


def test_returning_tells_the_team_the_last_owner_the_chat_and_its_queue_after_commit(
    support, alice, bob, sent, django_capture_on_commit_callbacks
):
    session = ended_chat(support, alice)
    set_away(alice)

    with django_capture_on_commit_callbacks(execute=True):
        session_reactivate(session=session)
        assert sent == []

    assert {group for batch in sent for group, _type in batch} == {
        events.TEAM_GROUP, events.agent_group(alice.pk), events.session_group(session.pk), events.queue_group(support.pk),
    }


def test_return_to_chat_answers_the_widget_with_the_chat_going_on(support, alice):
    session = ended_chat(support, alice)

    response = Client(enforce_csrf_checks=True).post(widget_url(session, "reactivate/"))

    assert response.status_code == 200
    assert "You returned to the chat." in response.text
    assert 'id="widget-message"' in response.text  # the visitor can write again
    assert "Send feedback" not in response.text


def test_return_to_chat_on_a_channel_without_a_post_chat_form_answers_409(alice):
    quiet = ChannelFactory(slug="quiet", post_chat_form=False)
    session = ended_chat(quiet, alice)

    response = Client().post(widget_url(session, "reactivate/"))

    assert response.status_code == 409
    assert "cannot be reactivated" in response.text


def test_the_owner_sees_the_chat_reactivated_in_the_transcript_and_the_sessions_list(support, alice):
    session = ended_chat(support, alice)
    session_reactivate(session=session)
    agent = Client()
    agent.force_login(alice)

    panel = agent.get(f"/chats/{session.pk}/").text
    workspace = agent.get("/").text

    assert "Vera returned to the chat." in panel
    assert 'id="composer-text-' in panel  # and can reply
    sessions_list = workspace.split('id="sessions-list"')[1].split("</ul>")[0]
    assert "Vera" in sessions_list and "Reactivated" in sessions_list


def test_a_reactivated_chat_in_the_queue_is_tagged_in_the_incoming_list(support, alice, bob):
    session = ended_chat(support, alice)
    set_away(alice)
    session_reactivate(session=session)
    agent = Client()
    agent.force_login(bob)

    incoming = agent.get("/").text.split('id="incoming-list"')[1].split("</div>")[0]

    assert "Vera" in incoming and "Reactivated" in incoming


# --- A reactivated chat's place in the queue -----------------------------------------------------------


@pytest.fixture
def reactivated_behind_a_waiting_chat(support, alice, bob):
    """Vera's chat started an hour ago and ended; Wendy has waited ten minutes when Vera returns to hers
    (alice, its owner, is Away, so it goes to the queue)."""
    now = timezone.now()
    vera = ended_chat(support, alice)
    wendy = ChatSessionFactory(channel=support, visitor_name="Wendy")
    ChatSession.objects.filter(pk=vera.pk).update(created_at=now - datetime.timedelta(hours=1))
    ChatSession.objects.filter(pk=wendy.pk).update(created_at=now - datetime.timedelta(minutes=10))
    set_away(alice)
    session_reactivate(session=vera)
    return vera, wendy


@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip-locked", "first-20"])
def test_get_next_in_queue_takes_a_chat_that_waited_before_a_reactivated_one(
    reactivated_behind_a_waiting_chat, bob, skip_locked, monkeypatch
):
    vera, wendy = reactivated_behind_a_waiting_chat
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", skip_locked)

    assert queue_take_next(agent=bob).pk == wendy.pk
    assert queue_take_next(agent=bob).pk == vera.pk


def test_a_reactivated_chat_is_listed_after_the_chats_already_waiting(reactivated_behind_a_waiting_chat, bob):
    agent = Client()
    agent.force_login(bob)

    incoming = agent.get("/").text.split('id="incoming-list"')[1].split("</div>")[0]

    assert incoming.index("Wendy") < incoming.index("Vera")


def test_a_visitor_who_returns_to_the_chat_is_told_their_place_behind_those_already_waiting(
    reactivated_behind_a_waiting_chat,
):
    vera, wendy = reactivated_behind_a_waiting_chat

    assert "number 2 in the queue" in Client().get(widget_url(vera)).text
    assert "number 1 in the queue" in Client().get(widget_url(wendy)).text
