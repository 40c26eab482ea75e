"""Finding the customer behind a chat: suggestions, search, creating and linking a contact, who may do it,
and the contact panel every viewer of the chat sees (also live)."""

import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from chat.models import ChatSession
from helpdesk import contacts
from helpdesk.asgi import application
from helpdesk.errors import Invalid, NotAllowed
from helpdesk.models import Contact, Request
from helpdesk.services.contacts import contact_create, session_link_contact
from live import events
from tests.factories import ChannelFactory, ChatSessionFactory, active_chat, logged_in, make_agent

pytestmark = pytest.mark.django_db

FRAME_WAIT = 10  # a bound on how long to wait for a frame before failing, not an expectation of speed


@pytest.fixture
def carol(support):
    """Can listen in: sees every chat of the channel, owns none of them."""
    return make_agent("carol", channel=support, can_listen_in=True)


def contact(first_name, last_name="", **fields):
    return Contact.objects.create(first_name=first_name, last_name=last_name, **fields)


def contact_panel_of(html, session):
    match = re.search(rf'<section id="contact-panel-{session.pk}".*?</section>', html, re.S)
    assert match, "the chat panel has no contact panel"
    return match.group(0)


# --- Suggestions: "This contact could be..." ------------------------------------------------------------


def test_a_contact_with_the_visitors_email_is_suggested_whatever_its_case(support, alice):
    vera = contact("Veronica", "Jansen", email="Vera.Jansen@Example.org")
    contact("Someone", "Else", email="someone@example.org")
    session = active_chat(support, alice, visitor_name="V.", visitor_email="vera.jansen@example.org")

    assert list(contacts.suggestions(session)) == [vera]


def test_contacts_whose_names_contain_the_visitors_name_are_suggested_after_the_email_match(support, alice):
    by_email = contact("Vee", "Nobody", email="vj@example.org")
    by_name = contact("Vera", "Jansen-Smit")
    contact("Vera", "Bakker")  # only one of the two names
    contact("Walter", "Jansen")
    session = active_chat(support, alice, visitor_name="Vera Jansen", visitor_email="VJ@example.org")

    assert list(contacts.suggestions(session)) == [by_email, by_name]


def test_nothing_is_suggested_when_no_contact_matches(support, alice):
    contact("Walter", "White", email="walter@example.org")
    session = active_chat(support, alice, visitor_name="Vera", visitor_email="vera@example.org")

    assert list(contacts.suggestions(session)) == []


def test_the_chat_panel_suggests_the_contact_with_a_link_button_for_the_owner(support, alice):
    contact("Vera", "Jansen", email="vera@example.org", company="Acme")
    session = active_chat(support, alice, visitor_name="Vera Jansen", visitor_email="vera@example.org")

    panel = contact_panel_of(logged_in(alice).get(f"/chats/{session.pk}/").text, session)

    assert "This contact could be..." in panel
    assert "Vera Jansen" in panel and "Acme" in panel
    assert re.search(r"<button[^>]*>Link<", panel)


# --- Search ---------------------------------------------------------------------------------------------


def test_search_finds_contacts_by_name_email_or_company(support, alice):
    vera = contact("Vera", "Jansen", email="vera@acme.example", company="Acme Trading")
    walter = contact("Walter", "Smit", email="w.smit@example.org", company="Globex")

    assert list(contacts.search("jans")) == [vera]
    assert list(contacts.search("W.SMIT@")) == [walter]
    assert list(contacts.search("globex")) == [walter]
    assert list(contacts.search("vera acme")) == [vera]  # every word must match somewhere
    assert list(contacts.search("vera globex")) == []
    assert list(contacts.search("   ")) == []


def test_searching_contacts_from_a_chat_shows_the_matches_with_link_buttons(support, alice):
    contact("Vera", "Jansen", company="Acme")
    contact("Walter", "Smit")
    session = active_chat(support, alice, visitor_name="V.")

    response = logged_in(alice).get(f"/chats/{session.pk}/contact/search/", {"q": "acme"})

    assert response.status_code == 200
    assert "Vera Jansen" in response.text and "Walter" not in response.text
    assert ">Link<" in response.text


def test_a_search_without_matches_says_so(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).get(f"/chats/{session.pk}/contact/search/", {"q": "nobody"})

    assert "No contact matches" in response.text


# --- Create contact -------------------------------------------------------------------------------------


def test_the_create_contact_form_is_filled_in_from_the_chat(support, alice):
    session = active_chat(support, alice, visitor_name="Vera van Dijk", visitor_email="vera@example.org")

    html = logged_in(alice).get(f"/chats/{session.pk}/").text

    assert re.search(r'name="first_name" value="Vera"', html)
    assert re.search(r'name="last_name" value="van Dijk"', html)
    assert re.search(r'name="email" type="email" value="vera@example.org"', html)
    assert 'name="company"' in html and 'name="phone"' in html
    assert re.search(r"<button[^>]*>Create contact</button>", html)


def test_creating_a_contact_from_a_chat_stores_it_and_links_the_chat(support, alice):
    session = active_chat(support, alice, visitor_name="Vera van Dijk")

    response = logged_in(alice).post(f"/chats/{session.pk}/contact/new/", {
        "first_name": "Vera", "last_name": "van Dijk", "email": "vera@example.org", "company": "Acme",
        "phone": "+31 20 123 4567",
    })

    assert response.status_code == 200
    created = Contact.objects.get()
    assert (created.first_name, created.last_name, created.email, created.company, created.phone) == (
        "Vera", "van Dijk", "vera@example.org", "Acme", "+31 20 123 4567"
    )
    session.refresh_from_db()
    assert session.contact == created
    assert "Change contact" in response.text


@pytest.mark.parametrize("fields, words", [
    ({"first_name": " "}, "first name"),
    ({"first_name": "Vera", "email": "not an address"}, "valid email"),
    ({"first_name": "Vera", "phone": "1" * 51}, "at most 50"),
])
def test_a_contact_without_a_first_name_or_with_a_bad_field_is_refused(support, alice, fields, words):
    session = active_chat(support, alice)

    with pytest.raises(Invalid, match=words):
        contact_create(session=session, by=alice, **fields)
    assert not Contact.objects.exists()


def test_a_colleague_who_does_not_own_the_chat_cannot_create_its_contact(support, alice, carol):
    session = active_chat(support, alice)

    response = logged_in(carol).post(f"/chats/{session.pk}/contact/new/", {"first_name": "Vera"})

    assert response.status_code == 403
    assert not Contact.objects.exists()


# --- Link -----------------------------------------------------------------------------------------------


def test_the_owner_links_a_suggested_contact_and_sees_the_contacts_details(support, alice):
    vera = contact("Vera", "Jansen", email="vera@example.org", phone="020 123")
    session = active_chat(support, alice, visitor_name="Vera Jansen")

    response = logged_in(alice).post(f"/chats/{session.pk}/contact/link/", {"contact": vera.pk})

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.contact == vera
    panel = contact_panel_of(response.text, session)
    assert "vera@example.org" in panel and "020 123" in panel
    assert "Change contact" in panel
    assert "This contact could be" not in panel


def test_changing_the_contact_links_the_other_one(support, alice):
    vera, other = contact("Vera"), contact("Vera", "Other")
    session = active_chat(support, alice, contact=vera)

    logged_in(alice).post(f"/chats/{session.pk}/contact/link/", {"contact": other.pk})

    session.refresh_from_db()
    assert session.contact == other


def test_a_manager_can_link_a_colleagues_chat(support, alice, maria):
    vera = contact("Vera")
    session = active_chat(support, alice)

    session_link_contact(session=session, contact=vera, by=maria)

    session.refresh_from_db()
    assert session.contact == vera


def test_a_non_owner_agent_who_can_see_the_chat_cannot_link_it(support, alice, carol):
    vera = contact("Vera", "Jansen")
    session = active_chat(support, alice, visitor_name="Vera Jansen")

    response = logged_in(carol).post(f"/chats/{session.pk}/contact/link/", {"contact": vera.pk})

    assert response.status_code == 403
    assert "owns this chat" in response.text
    session.refresh_from_db()
    assert session.contact is None
    with pytest.raises(NotAllowed):
        session_link_contact(session=session, contact=vera, by=carol)


def test_a_viewer_who_may_not_change_the_contact_sees_no_link_buttons_and_no_create_form(support, alice, carol):
    contact("Vera", "Jansen")
    session = active_chat(support, alice, visitor_name="Vera Jansen")

    html = logged_in(carol).get(f"/chats/{session.pk}/contact/").text

    assert "Vera Jansen" in html  # sees the suggestion
    assert ">Link<" not in html and "Create contact" not in html and "Search contacts" not in html


def test_linking_an_unknown_contact_is_not_found(support, alice):
    session = active_chat(support, alice)

    response = logged_in(alice).post(f"/chats/{session.pk}/contact/link/", {"contact": 9999})

    assert response.status_code == 404
    assert response.text == "No such contact."


def test_an_agent_who_cannot_see_the_chat_can_neither_view_nor_search_nor_link_its_contact(support, alice, bob):
    vera = contact("Vera")
    session = active_chat(support, alice)  # bob neither owns it nor may listen in

    client = logged_in(bob)
    assert client.get(f"/chats/{session.pk}/contact/").status_code == 404
    assert client.get(f"/chats/{session.pk}/contact/search/", {"q": "vera"}).status_code == 404
    response = client.post(f"/chats/{session.pk}/contact/link/", {"contact": vera.pk})
    assert response.status_code == 404
    assert response.text == "No such chat."
    session.refresh_from_db()
    assert session.contact is None


def test_linking_tells_everyone_viewing_the_chat_after_the_commit(
    support, alice, sent, django_capture_on_commit_callbacks
):
    vera = contact("Vera")
    session = active_chat(support, alice)

    with django_capture_on_commit_callbacks(execute=True):
        session_link_contact(session=session, contact=vera, by=alice)
        assert sent == []

    assert (events.session_group(session.pk), events.SESSION_CHANGED) in sent[0]


# --- What the panel shows about a linked contact --------------------------------------------------------


def test_a_linked_contacts_earlier_chats_link_to_their_transcripts_where_the_viewer_may_open_them(
    support, alice, bob
):
    vera = contact("Vera")
    earlier = ChatSessionFactory(
        channel=support, owner=alice, status=ChatSession.Status.ENDED, ended_at=timezone.now(), contact=vera
    )
    bobs = ChatSessionFactory(
        channel=support, owner=bob, status=ChatSession.Status.ENDED, ended_at=timezone.now(), contact=vera
    )
    session = active_chat(support, alice, contact=vera)

    panel = contact_panel_of(logged_in(alice).get(f"/chats/{session.pk}/").text, session)

    assert f'hx-get="/chats/{earlier.pk}/transcript/"' in panel
    assert f"/chats/{bobs.pk}/" not in panel  # listed by date, but alice may not open bob's chat
    assert panel.count("<li>") >= 2
    assert f"/chats/{session.pk}/transcript/" not in panel  # the chat itself is not an earlier chat


def test_a_linked_contacts_chats_on_channels_the_viewer_does_not_work_on_are_left_out(support, alice):
    vera = contact("Vera")
    sales = ChannelFactory(slug="sales", name="Sales")
    ChatSessionFactory(
        channel=sales, owner=make_agent("sam", channel=sales), status=ChatSession.Status.ENDED,
        ended_at=timezone.now(), contact=vera,
    )
    session = active_chat(support, alice, contact=vera)

    panel = contact_panel_of(logged_in(alice).get(f"/chats/{session.pk}/").text, session)

    assert "Sales" not in panel
    assert "No earlier chats." in panel


def test_a_manager_of_every_channel_sees_the_contacts_chats_on_all_of_them(support, alice):
    vera = contact("Vera")
    sales = ChannelFactory(slug="sales", name="Sales")
    ChatSessionFactory(channel=sales, status=ChatSession.Status.ENDED, ended_at=timezone.now(), contact=vera)
    session = active_chat(support, alice, contact=vera)
    head = make_agent("hanna", channel=support)
    head.user_permissions.add(Permission.objects.get(codename="manage_chats"))

    panel = contact_panel_of(logged_in(head).get(f"/chats/{session.pk}/").text, session)

    assert "Sales" in panel


def test_a_linked_contacts_requests_are_listed(support, alice):
    vera = contact("Vera")
    Request.objects.create(
        source=Request.Source.OFFLINE_FORM, channel=support, contact=vera, title="Broken zipper", name="Vera",
        body="My zipper broke.",
    )
    session = active_chat(support, alice, contact=vera)

    panel = contact_panel_of(logged_in(alice).get(f"/chats/{session.pk}/").text, session)

    assert "Broken zipper" in panel


# --- Live -----------------------------------------------------------------------------------------------


def session_cookie(user) -> bytes:
    return f"{settings.SESSION_COOKIE_NAME}={logged_in(user).cookies[settings.SESSION_COOKIE_NAME].value}".encode()


@pytest.mark.django_db(transaction=True)
async def test_a_colleague_watching_the_chat_sees_the_linked_contact_appear_live(support, alice, carol):
    vera = await database_sync_to_async(contact)("Vera", "Jansen", email="vera@example.org")
    session = await database_sync_to_async(active_chat)(support, alice, visitor_name="Vera Jansen")
    communicator = WebsocketCommunicator(application, f"/ws/chats/{session.pk}/", headers=[
        (b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", await database_sync_to_async(session_cookie)(carol)),
    ])
    connected, _ = await communicator.connect(timeout=FRAME_WAIT)
    assert connected
    first = await communicator.receive_from(timeout=FRAME_WAIT)
    assert "This contact could be..." in first

    await database_sync_to_async(session_link_contact)(session=session, contact=vera, by=alice)

    pushed = await communicator.receive_from(timeout=FRAME_WAIT)
    assert f'id="contact-panel-{session.pk}"' in pushed
    assert "vera@example.org" in pushed and "This contact could be" not in pushed
    await communicator.disconnect(timeout=FRAME_WAIT)
