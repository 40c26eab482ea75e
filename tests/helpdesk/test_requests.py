"""Create request from a chat (Menu -> Create request), and the offline form's requests finding their contact."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession, Message
from helpdesk.errors import Invalid, NotAllowed
from helpdesk.models import AgentProfile, Contact, Request
from helpdesk.services.requests import request_create_from_chat, request_from_offline_form
from live import events
from tests.factories import ChannelFactory, ChatSessionFactory, MessageFactory, logged_in, make_agent

pytestmark = pytest.mark.django_db


def chat_with_a_conversation(channel, owner, **fields):
    """An answered chat: the visitor's question, the agent joining, and one line each."""
    session = ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_name="Vera Jansen", visitor_email="vera@example.org", question="My parcel never arrived", **fields
    )
    MessageFactory(session=session, body="My parcel never arrived")
    Message.objects.create(session=session, kind=Message.Kind.EVENT, event=Message.Event.AGENT_JOINED, author=owner)
    MessageFactory(session=session, kind=Message.Kind.AGENT, author=owner, body="Which order number?")
    MessageFactory(session=session, body="Order 1234")
    return session


def menu_of(html):
    match = re.search(r'<div class="menu-items".*?</div>', html, re.S)
    return match.group(0) if match else ""


# --- The request --------------------------------------------------------------------------------------


def test_a_request_from_a_chat_holds_its_transcript_with_times_and_names(support, alice):
    vera = Contact.objects.create(first_name="Vera", last_name="Jansen")
    session = chat_with_a_conversation(support, alice, contact=vera)

    created = request_create_from_chat(session=session, by=alice, title="Parcel lost")

    created.refresh_from_db()
    assert created.source == Request.Source.CHAT
    assert (created.title, created.name, created.email) == ("Parcel lost", "Vera Jansen", "vera@example.org")
    assert (created.session, created.contact, created.channel, created.created_by) == (session, vera, support, alice)
    lines = created.body.splitlines()
    time = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    assert re.fullmatch(rf"{time} Vera Jansen: My parcel never arrived", lines[0])
    assert re.fullmatch(rf"{time} {alice.get_full_name()} joined the chat\.", lines[1])
    assert re.fullmatch(rf"{time} {alice.get_full_name()}: Which order number\?", lines[2])
    assert re.fullmatch(rf"{time} Vera Jansen: Order 1234", lines[3])


def test_a_request_can_be_assigned_to_an_agent_of_the_channel(support, alice, bob):
    session = chat_with_a_conversation(support, alice)

    created = request_create_from_chat(session=session, by=alice, title="Parcel lost", assigned_to_id=str(bob.pk))

    assert created.assigned_to == bob


def test_a_request_left_unassigned_has_nobody_assigned(support, alice):
    session = chat_with_a_conversation(support, alice)

    created = request_create_from_chat(session=session, by=alice, title="Parcel lost", assigned_to_id="")

    assert created.assigned_to is None


def test_a_request_cannot_be_assigned_to_someone_outside_the_channel(support, alice):
    elsewhere = make_agent("olga", channel=ChannelFactory(slug="sales"))
    session = chat_with_a_conversation(support, alice)

    for wrong in (str(elsewhere.pk), "nobody"):
        with pytest.raises(Invalid, match="Unassigned"):
            request_create_from_chat(session=session, by=alice, title="Parcel lost", assigned_to_id=wrong)
    assert not Request.objects.exists()


def test_a_request_needs_a_title(support, alice):
    session = chat_with_a_conversation(support, alice)

    with pytest.raises(Invalid, match="title"):
        request_create_from_chat(session=session, by=alice, title="  ")


def test_a_colleague_who_does_not_own_the_chat_cannot_create_a_request_from_it(support, alice, carol):
    session = chat_with_a_conversation(support, alice)

    response = logged_in(carol).post(f"/chats/{session.pk}/request/", {"title": "Parcel lost"})

    assert response.status_code == 403
    assert not Request.objects.exists()
    with pytest.raises(NotAllowed):
        request_create_from_chat(session=session, by=carol, title="Parcel lost")


def test_a_manager_can_create_a_request_from_a_colleagues_chat(support, alice, maria):
    session = chat_with_a_conversation(support, alice)

    created = request_create_from_chat(session=session, by=maria, title="Parcel lost")

    assert created.created_by == maria


def test_a_chat_still_in_the_queue_cannot_become_a_request(support, maria):
    session = ChatSessionFactory(channel=support)

    with pytest.raises(Invalid, match="Nobody has answered"):
        request_create_from_chat(session=session, by=maria, title="Too early")


def test_creating_a_request_tells_everyone_viewing_the_chat_after_the_commit(
    support, alice, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(events, "send_now", lambda messages: sent.extend((g, e["type"]) for g, e in messages))
    session = chat_with_a_conversation(support, alice)

    with django_capture_on_commit_callbacks(execute=True):
        request_create_from_chat(session=session, by=alice, title="Parcel lost")
        assert sent == []

    assert (events.session_group(session.pk), events.SESSION_CHANGED) in sent


# --- Menu -> Create request, over HTTP ----------------------------------------------------------------


def test_the_owners_menu_offers_create_request(support, alice):
    session = chat_with_a_conversation(support, alice)

    html = logged_in(alice).get(f"/chats/{session.pk}/").text

    assert re.search(r"<button[^>]*>Create request</button>", menu_of(html))


def test_a_colleague_listening_in_gets_no_create_request(support, alice, carol):
    session = chat_with_a_conversation(support, alice)

    html = logged_in(carol).get(f"/chats/{session.pk}/").text

    assert "Create request" not in html


def test_the_create_request_form_starts_with_the_question_the_channels_agents_and_the_contact(support, alice, bob):
    make_agent("olga", channel=ChannelFactory(slug="sales"))
    vera = Contact.objects.create(first_name="Vera", last_name="Jansen", company="Acme")
    session = chat_with_a_conversation(support, alice, contact=vera)

    html = logged_in(alice).get(f"/chats/{session.pk}/request/new/").text

    assert 'name="title" value="My parcel never arrived"' in html
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert options[0] == "Unassigned"
    assert sorted(options[1:]) == sorted([alice.get_full_name(), bob.get_full_name()])
    assert "Vera Jansen (Acme)" in html


def test_a_colleague_listening_in_cannot_open_the_create_request_form(support, alice, carol):
    session = chat_with_a_conversation(support, alice)

    assert logged_in(carol).get(f"/chats/{session.pk}/request/new/").status_code == 403


def test_creating_a_request_puts_its_number_into_the_agents_message_box(support, alice, bob):
    session = chat_with_a_conversation(support, alice)

    response = logged_in(alice).post(
        f"/chats/{session.pk}/request/", {"title": "Parcel lost", "assigned_to": str(bob.pk)}
    )

    assert response.status_code == 200
    created = Request.objects.get()
    assert created.assigned_to == bob
    assert f"Request #{created.pk} created." in response.text
    trigger = json.loads(response["HX-Trigger"])["helpdesk:insertText"]
    assert trigger == {"into": f"composer-text-{session.pk}", "text": f"Request #{created.pk}"}
    assert f'id="composer-text-{session.pk}"' in logged_in(alice).get(f"/chats/{session.pk}/").text


@pytest.mark.parametrize(("language", "text"), [("nl", "Verzoek #{}"), ("sv", "Ärende #{}")])
def test_the_request_number_for_the_visitor_is_in_the_visitors_language(support, alice, language, text):
    """Alice works in English; what waits in her Message box is meant for the visitor, so it is in theirs."""
    session = chat_with_a_conversation(support, alice, visitor_language=language)

    response = logged_in(alice).post(
        f"/chats/{session.pk}/request/", {"title": "Parcel lost"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    created = Request.objects.get()
    assert f"Request #{created.pk} created." in response.text  # Alice's own notice stays in her language
    trigger = json.loads(response["HX-Trigger"])["helpdesk:insertText"]
    assert trigger["text"] == text.format(created.pk)


def test_an_agent_who_cannot_see_the_chat_cannot_create_a_request_from_it(support, alice, bob):
    session = chat_with_a_conversation(support, alice)

    assert logged_in(bob).post(f"/chats/{session.pk}/request/", {"title": "Mine now"}).status_code == 404
    assert not Request.objects.exists()


# --- The offline form -----------------------------------------------------------------------------------


def away(agent):
    AgentProfile.objects.filter(user=agent).update(status=AgentProfile.Status.AWAY)


def test_an_offline_message_is_linked_to_the_contact_with_that_email(support, alice):
    vera = Contact.objects.create(first_name="Vera", email="Vera@Example.org")
    away(alice)

    response = Client().post(
        "/widget/support/offline/", {"name": "Vera", "email": "vera@example.org", "message": "Call me back"}
    )

    created = Request.objects.get()
    assert created.contact == vera
    assert f"request #{created.pk}" in response.text


def test_an_offline_message_from_an_unknown_address_is_linked_to_nobody(support):
    Contact.objects.create(first_name="Vera", email="vera@example.org")

    created = request_from_offline_form(channel=support, name="Walter", email="walter@example.org", message="Hi")

    assert created.contact is None


def test_an_offline_message_is_not_guessed_onto_one_of_several_contacts_sharing_its_email(support):
    Contact.objects.create(first_name="Vera", email="shared@example.org")
    Contact.objects.create(first_name="Walter", email="shared@example.org")

    created = request_from_offline_form(channel=support, name="Vera", email="shared@example.org", message="Hi")

    assert created.contact is None
