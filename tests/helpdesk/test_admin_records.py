"""A manager's records in the admin: a chat's transcript, files, transfers and listen-ins read-only; the
Managers group's rights; and the names the admin shows."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from chat.models import Attachment, ChatSession, Listener, Message
from helpdesk.demo import create_demo_data
from tests.factories import ChatSessionFactory
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return create_demo_data()


@pytest.fixture
def recorded_chat(team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    chat = ChatSessionFactory(
        channel=team.channel, owner=team.bob, status=ChatSession.Status.ENDED, ended_at=timezone.now(),
        end_reason=ChatSession.EndReason.AGENT, visitor_name="Vera", visitor_language="nl",
    )
    Message.objects.create(session=chat, kind=Message.Kind.VISITOR, body="Mijn pakket is niet aangekomen")
    Message.objects.create(session=chat, kind=Message.Kind.AGENT, author=team.bob, body="I will look into it")
    line = Message.objects.create(session=chat, kind=Message.Kind.VISITOR, body="")
    attachment = Attachment(message=line, original_name="receipt.txt", size=5, content_type="text/plain")
    attachment.file.save("receipt.txt", ContentFile(b"hello"), save=True)
    Transfer.objects.create(session=chat, from_agent=team.alice, to_agent=team.bob, requested_by=team.alice,
                            status=Transfer.Status.ACCEPTED, decided_at=timezone.now(), decided_by=team.bob,
                            note="Dutch speaker")
    Listener.objects.create(session=chat, agent=team.carol, reason=Listener.Reason.SUPERVISOR)
    return chat


def chat_page(client, user, chat):
    client.force_login(user)
    response = client.get(reverse("admin:chat_chatsession_change", args=[chat.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_manager_reads_a_chats_messages_files_transfers_and_listen_ins(client, team, recorded_chat):
    page = chat_page(client, team.maria, recorded_chat)

    assert "Mijn pakket is niet aangekomen" in page and "I will look into it" in page
    assert "receipt.txt" in page
    assert "Dutch speaker" in page and "Transfer history" in page
    assert "Listen-ins" in page and "Carol Chen" in page
    assert "Bob de Boer" in page  # people by name, not login


def test_the_chats_records_cannot_be_edited_added_or_deleted_there(client, team, recorded_chat):
    page = chat_page(client, team.maria, recorded_chat)

    for prefix in ("messages", "transfers", "listeners"):
        fields = re.findall(rf'<(?:input|textarea|select)[^>]*name="{prefix}-\d+-[^"]*"[^>]*>', page)
        assert fields and all('type="hidden"' in field for field in fields), prefix  # only the rows' ids
        assert f'name="{prefix}-0-DELETE"' not in page
        assert f'name="{prefix}-MAX_NUM_FORMS" value="0"' in page  # no row can be added


def test_the_managers_group_gets_view_rights_and_nothing_more_on_records(team):
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(group=team.managers).select_related("content_type")
    }

    assert {"chat.view_chatsession", "chat.view_message", "chat.view_listener", "transfers.view_transfer"} <= granted
    for record in ("chat.{}_message", "chat.{}_listener", "chat.{}_attachment"):
        assert not {record.format(action) for action in ("add", "change", "delete")} & granted


def test_the_channel_page_shows_each_agents_rights_in_effect(client, team):
    client.force_login(team.maria)

    page = client.get(reverse("admin:chat_channel_change", args=[team.channel.pk])).content.decode()

    # carol's membership leaves "can listen in" unticked; the permission gives it to her on every channel.
    assert rights_in_effect(page, "Carol Chen") == "Can respond, Notifications, Can listen in"
    assert rights_in_effect(page, "Alice Andersson") == "Can respond, Notifications"
    assert rights_in_effect(page, "Maria Manager") == "Can respond, Notifications, Can listen in, Manager"


def rights_in_effect(page, name):
    """The column's text in the membership row whose agent select has this person chosen."""
    (row,) = [row for row in page.split('<tr class="form-row')[1:] if f"selected>{name}</option>" in row]
    return re.search(r'field-rights_in_effect">\s*<p>(.*?)</p>', row, re.S).group(1).strip()


def test_the_admin_carries_the_products_name_peoples_names_and_languages(client, team, recorded_chat):
    client.force_login(team.maria)
    team.maria.is_superuser = True  # the user list is the superuser's
    team.maria.save()

    index = client.get(reverse("admin:index")).content.decode()
    users = client.get(reverse("admin:auth_user_changelist")).content.decode()
    chat = client.get(reverse("admin:chat_chatsession_change", args=[recorded_chat.pk])).content.decode()
    client.post(reverse("set_language"), {"language": "nl"})
    dutch_chat = client.get(reverse("admin:chat_chatsession_change", args=[recorded_chat.pk])).content.decode()

    assert "Helpdesk administration" in index and "Django administration" not in index
    assert "Bob de Boer" in users
    assert '<div class="readonly">Dutch</div>' in chat
    assert '<div class="readonly">Nederlands</div>' in dutch_chat
