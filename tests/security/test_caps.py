"""Caps that hold however many addresses a flood comes from: waiting chats per channel, files and bytes
per chat and per day; and the transcript, which goes only to the pre-chat address, once."""

import io

import pytest
from django.utils import timezone

from chat.models import Attachment, ChatSession
from chat.services.sessions import queue_take_next
from helpdesk.models import Request
from tests.factories import ChatSessionFactory
from tests.security.conftest import start, visitor

pytestmark = pytest.mark.django_db

BUSY = "All our agents are busy right now. Leave a message and we will get back to you by email."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def chat_url(session, action=""):
    return f"/widget/{session.channel.slug}/chat/{session.token}/{action}"


def answered_chat(channel, owner):
    return ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ACTIVE, answered_at=timezone.now()
    )


def send_file(session, size, name="note.txt"):
    upload = io.BytesIO(b"x" * size)
    upload.name = name
    return visitor().post(chat_url(session, "files/"), {"file": upload})


# --- The queue -----------------------------------------------------------------------------------------


def test_over_the_queue_cap_new_visitors_get_the_offline_form_and_their_message_is_kept(support, online):
    support.max_queued_chats = 2
    support.save()
    for n in range(2):
        assert "End chat" in start(visitor(f"198.51.100.{n}"), support, name=f"Early {n}").text

    late = visitor("203.0.113.7")
    refused = start(late, support, name="Vera", question="Where is my order?")
    page = late.get(f"/widget/{support.slug}/")

    assert ChatSession.objects.count() == 2
    assert BUSY in refused.text
    assert 'value="Vera"' in refused.text and "Where is my order?" in refused.text  # what she typed stays
    assert BUSY in page.text and "Start chat" not in page.text
    left = late.post(f"/widget/{support.slug}/offline/", {
        "name": "Vera", "email": "vera@example.org", "message": "Where is my order?",
    })
    assert "Thank you!" in left.text
    assert Request.objects.get().body == "Where is my order?"


def test_once_a_waiting_chat_is_answered_the_next_visitor_gets_the_chat_form_again(support, online):
    support.max_queued_chats = 1
    support.save()
    start(visitor("198.51.100.1"), support)
    assert "Start chat" not in visitor().get(f"/widget/{support.slug}/").text

    queue_take_next(agent=online)

    assert "Start chat" in visitor().get(f"/widget/{support.slug}/").text


def test_returning_to_a_chat_is_refused_while_the_queue_is_full(support, online):
    support.max_queued_chats = 1
    support.save()
    start(visitor("198.51.100.1"), support)
    ended = ChatSessionFactory(channel=support, status=ChatSession.Status.ENDED, ended_at=timezone.now())

    response = visitor().post(chat_url(ended, "reactivate/"))

    assert response.status_code == 409
    assert response.text.startswith("All our agents are busy right now.")
    ended.refresh_from_db()
    assert ended.is_ended


# --- Files ---------------------------------------------------------------------------------------------


def test_a_visitor_can_send_only_so_many_files_in_one_chat(support, online):
    support.max_files_per_chat = 2
    support.save()
    chat = answered_chat(support, online)

    answers = [send_file(chat, 10).status_code for _ in range(3)]

    assert answers == [204, 204, 403]
    assert "at most 2 can be sent in one chat" in send_file(chat, 10).text
    assert Attachment.objects.count() == 2


def test_a_chat_holds_only_so_many_bytes_of_visitors_files(support, online):
    support.max_file_bytes_per_chat = 1000
    support.save()
    chat = answered_chat(support, online)

    assert send_file(chat, 600).status_code == 204
    refused = send_file(chat, 600)

    assert refused.status_code == 403
    assert "at most 1000\xa0bytes of files can be sent in one chat" in refused.text
    assert send_file(chat, 400).status_code == 204  # what still fits goes through
    assert Attachment.objects.count() == 2


def test_a_channel_takes_only_so_many_bytes_of_visitors_files_a_day(support, online):
    support.max_file_bytes_per_day = 1000
    support.save()
    first, second = answered_chat(support, online), answered_chat(support, online)
    send_file(first, 800)

    refused = send_file(second, 300)

    assert refused.status_code == 403
    assert refused.text == "No more files can be received today. Please describe it in a message instead."
    assert Attachment.objects.count() == 1


def test_yesterdays_files_do_not_count_against_today(support, online):
    support.max_file_bytes_per_day = 1000
    support.save()
    chat = answered_chat(support, online)
    send_file(chat, 800)
    chat.messages.update(created_at=timezone.now() - timezone.timedelta(days=1))

    assert send_file(chat, 800).status_code == 204


# --- The transcript by email ---------------------------------------------------------------------------


@pytest.fixture
def ended(support, online):
    support.transcript_by_email = True
    support.save()
    return ChatSessionFactory(
        channel=support, owner=online, status=ChatSession.Status.ENDED, answered_at=timezone.now(),
        ended_at=timezone.now(), visitor_name="Vera", visitor_email="vera@example.org",
    )


def test_the_transcript_goes_to_the_pre_chat_address_whatever_the_form_says(
    ended, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor().post(chat_url(ended, "feedback/"), {
            "rating": "5", "send_transcript": "1", "email": "victim@example.com",
        })

    assert response.status_code == 200
    assert "We are sending the transcript to vera@example.org." in response.text
    [email] = mailoutbox
    assert email.to == ["vera@example.org"]


def test_the_transcript_is_emailed_once_per_chat(ended, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visitor().post(chat_url(ended, "feedback/"), {"rating": "5", "send_transcript": "1"})
        again = visitor("198.51.100.1").post(chat_url(ended, "feedback/"), {"rating": "5", "send_transcript": "1"})

    assert again.status_code == 409
    assert len(mailoutbox) == 1
    assert "Email me the transcript" not in visitor().get(chat_url(ended)).text


def test_a_chat_started_without_an_address_offers_no_transcript_and_refuses_a_forged_request(
    ended, mailoutbox, django_capture_on_commit_callbacks
):
    ChatSession.objects.filter(pk=ended.pk).update(visitor_email="")

    with django_capture_on_commit_callbacks(execute=True):
        forged = visitor().post(chat_url(ended, "feedback/"), {
            "rating": "5", "send_transcript": "1", "email": "victim@example.com",
        })

    assert "Email me the transcript" not in visitor().get(chat_url(ended)).text
    assert forged.status_code == 400
    assert forged.text == "The transcript goes only to the email address given before the chat, and none was given."
    assert mailoutbox == []
