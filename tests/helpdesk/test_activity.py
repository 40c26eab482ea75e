"""An ended chat leaves its transcript among its contact's activities (SuperOffice's Activities tab)."""

import pytest
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession, Message
from chat.services.messages import message_post_by_visitor
from chat.services.sessions import session_end, session_reactivate
from helpdesk.models import Activity, Contact
from helpdesk.services.contacts import session_link_contact
from tests.factories import ChatSessionFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vera():
    return Contact.objects.create(first_name="Vera", last_name="Jansen", email="vera@example.org")


def chat(channel, owner, **fields):
    session = ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_name="Vera", **fields
    )
    MessageFactory(session=session, body="Is the shop open on Sunday?")
    MessageFactory(session=session, kind=Message.Kind.AGENT, author=owner, body="Yes, from 12 to 5.")
    return session


def test_ending_a_chat_with_a_contact_records_its_transcript_on_the_contact(support, alice, vera):
    session = chat(support, alice, contact=vera)

    session_end(session=session, agent=alice)

    activity = Activity.objects.get()
    assert (activity.contact, activity.session, activity.kind) == (vera, session, Activity.Kind.CHAT)
    assert activity.title == "Chat with Vera"
    assert "Vera: Is the shop open on Sunday?" in activity.text
    assert f"{alice.get_full_name()}: Yes, from 12 to 5." in activity.text
    assert activity.text.splitlines()[-1].endswith(f"{alice.get_full_name()} ended the chat.")
    assert activity.created_by == alice


def test_the_record_is_written_in_the_teams_language_whoever_reads_it(support, alice, vera, settings):
    settings.LANGUAGE_CODE = "nl"
    session = chat(support, alice, contact=vera)

    session_end(session=session, agent=alice)

    activity = Activity.objects.get()
    assert activity.title == "Chat met Vera"
    assert activity.text.splitlines()[-1].endswith(f"{alice.get_full_name()} heeft de chat beëindigd.")


def test_a_chat_the_visitor_ends_is_recorded_too(support, alice, vera):
    session = chat(support, alice, contact=vera)

    response = Client().post(f"/widget/support/chat/{session.token}/end/")

    assert response.status_code == 200
    activity = Activity.objects.get(contact=vera)
    assert activity.text.splitlines()[-1].endswith("Vera ended the chat.")
    assert activity.created_by is None


def test_ending_a_chat_without_a_contact_records_nothing(support, alice):
    session = chat(support, alice)

    session_end(session=session, agent=alice)

    assert not Activity.objects.exists()


def test_linking_a_contact_after_the_chat_ended_records_the_chat_then(support, alice, vera):
    session = chat(support, alice)
    session_end(session=session, agent=alice)

    client = Client()
    client.force_login(alice)
    response = client.post(f"/chats/{session.pk}/contact/link/", {"contact": vera.pk})

    assert response.status_code == 200
    activity = Activity.objects.get()
    assert activity.contact == vera
    assert "Is the shop open on Sunday?" in activity.text


def test_changing_the_contact_of_an_ended_chat_moves_its_record_to_the_new_contact(support, alice, vera):
    walter = Contact.objects.create(first_name="Walter")
    session = chat(support, alice, contact=walter)
    session_end(session=session, agent=alice)

    session_link_contact(session=session, contact=vera, by=alice)

    assert list(Activity.objects.values_list("contact", flat=True)) == [vera.pk]


def test_a_reactivated_chat_that_ends_again_keeps_one_activity_with_the_whole_transcript(support, alice, vera):
    session = chat(support, alice, contact=vera)
    session_end(session=session, agent=alice)
    session_reactivate(session=session)
    message_post_by_visitor(session=session, body="One more thing")

    session_end(session=session, agent=alice)

    activity = Activity.objects.get()
    assert "Vera returned to the chat." in activity.text
    assert "Vera: One more thing" in activity.text
