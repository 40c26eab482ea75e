"""The admin honours per-channel teams beyond what the permission matrix opens page by page: shared contacts,
the choices a form offers, and the listen-in record for the demo's Managers group."""

import pytest
from django.contrib.auth.models import Permission

from chat.models import ChatSession
from helpdesk.demo import create_demo_data
from helpdesk.models import Activity, Contact, Request
from tests.factories import ChannelFactory, ChatSessionFactory, logged_in, make_channel_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams():
    support, sales = ChannelFactory(slug="support"), ChannelFactory(slug="sales")
    return support, sales, make_channel_manager("max", support), make_channel_manager("otto", sales)


def test_a_contact_met_on_two_channels_shows_each_manager_only_their_channels_transcript(two_teams):
    support, sales, max_, otto = two_teams
    contact = Contact.objects.create(first_name="Vera", email="vera@example.org")
    for channel, title in [(support, "Support talk"), (sales, "Sales talk")]:
        chat = ChatSessionFactory(channel=channel, contact=contact, status=ChatSession.Status.ENDED)
        Activity.objects.create(contact=contact, session=chat, kind=Activity.Kind.CHAT, title=title)

    pages = {user: logged_in(user).get(f"/admin/helpdesk/contact/{contact.pk}/change/") for user in (max_, otto)}

    assert pages[max_].status_code == pages[otto].status_code == 200
    assert "Support talk" in pages[max_].text and "Sales talk" not in pages[max_].text
    assert "Sales talk" in pages[otto].text and "Support talk" not in pages[otto].text


def test_a_contact_nobody_of_the_channel_met_is_not_listed(two_teams):
    support, sales, max_, _otto = two_teams
    ChatSessionFactory(channel=sales, contact=Contact.objects.create(first_name="Sam", email="sam@example.org"))

    listing = logged_in(max_).get("/admin/helpdesk/contact/")

    assert "sam@example.org" not in listing.text


def test_a_manager_cannot_put_a_record_on_a_channel_they_do_not_manage(two_teams):
    support, sales, max_, _otto = two_teams
    max_.user_permissions.add(Permission.objects.get(codename="add_blockedaddress"))

    form = logged_in(max_).get("/admin/chat/blockedaddress/add/")

    assert form.status_code == 200
    assert f'<option value="{support.pk}"' in form.text
    assert f'<option value="{sales.pk}"' not in form.text


def test_a_request_can_be_linked_only_to_a_chat_of_the_managers_channel(two_teams):
    support, sales, max_, _otto = two_teams
    mine, theirs = ChatSessionFactory(channel=support), ChatSessionFactory(channel=sales)
    request = Request.objects.create(channel=support, title="Refund", name="Vera", email="vera@example.org")

    form = logged_in(max_).get(f"/admin/helpdesk/request/{request.pk}/change/").text

    choices = form.split('name="session"')[1].split("</select>")[0]
    assert f'<option value="{mine.pk}"' in choices and f'<option value="{theirs.pk}"' not in choices


def test_the_admins_search_of_chats_finds_only_the_managers_channel(two_teams):
    support, sales, max_, _otto = two_teams
    ChatSessionFactory(channel=support, visitor_name="Findme Support")
    ChatSessionFactory(channel=sales, visitor_name="Findme Sales")

    found = logged_in(max_).get("/admin/chat/chatsession/", {"q": "Findme"}).text

    assert "Findme Support" in found and "Findme Sales" not in found


def test_the_demo_managers_group_reads_the_listen_in_record():
    team = create_demo_data()

    listing = logged_in(team.maria).get("/admin/chat/listener/")

    assert listing.status_code == 200
