"""The manager's side in the Django admin: Take over and Transfer to as actions on chat sessions, a live
list, and the hand-over history that nobody can edit."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission

from chat.models import ChatSession, Listener
from helpdesk.templatetags.people import person
from tests.factories import logged_in, make_agent
from tests.transfers import active_chat, close_code, frame_with, make_manager, offer, socket, support_channel
from transfers.models import Transfer

CHANGELIST = "/admin/chat/chatsession/"


@pytest.fixture
def team(db):
    channel = support_channel()
    alice = make_agent("alice", channel=channel)
    bob = make_agent("bob", channel=channel)
    away = make_agent("dave", channel=channel, present=False)
    maria = make_manager(channel=channel)
    chat = active_chat(alice, channel, visitor_name="Vera")
    return channel, alice, bob, away, maria, chat


def run_action(client, action, chats, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [chat.pk for chat in chats], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_take_over_from_the_admin_makes_the_manager_owner_and_the_old_owner_a_listener(team):
    _channel, alice, _bob, _away, maria, chat = team

    response = run_action(logged_in(maria), "take_over", [chat])

    assert f"You now own chat #{chat.pk}." in response.content.decode()
    chat.refresh_from_db()
    assert chat.owner == maria
    assert Listener.objects.filter(session=chat, agent=alice, closed_at=None).exists()
    assert Transfer.objects.get(session=chat).kind == Transfer.Kind.TAKE_OVER


def test_take_over_of_an_ended_chat_is_refused_with_a_message_and_changes_nothing(team):
    _channel, alice, _bob, _away, maria, chat = team
    chat.status = ChatSession.Status.ENDED
    chat.save(update_fields=["status"])

    response = run_action(logged_in(maria), "take_over", [chat])

    assert f"#{chat.pk}: " in response.content.decode()
    chat.refresh_from_db()
    assert chat.owner == alice
    assert not Transfer.objects.exists()


def test_transfer_to_offers_only_present_colleagues_and_starts_a_waiting_transfer(team):
    _channel, alice, bob, away, maria, chat = team
    client = logged_in(maria)

    form = run_action(client, "transfer_to", [chat]).content.decode()
    assert 'name="to_agent"' in form
    assert f'<option value="{bob.pk}"' in form
    assert f'<option value="{away.pk}"' not in form, "an Away agent must not be offered"
    assert f'<option value="{alice.pk}"' not in form, "the owner cannot be offered her own chat"

    response = run_action(client, "transfer_to", [chat], apply="1", to_agent=bob.pk, note="Billing question")

    assert "The transfer is waiting for an answer." in response.content.decode()
    transfer = Transfer.objects.get(session=chat)
    assert (transfer.status, transfer.to_agent, transfer.note) == (Transfer.Status.PENDING, bob, "Billing question")
    chat.refresh_from_db()
    assert chat.owner == alice, "the owner changes only when the colleague accepts"


def test_transfer_to_on_a_channel_without_acceptance_says_the_colleague_owns_the_chat_now(team):
    channel, alice, bob, _away, maria, chat = team
    channel.transfers_need_acceptance = False
    channel.save()

    response = run_action(logged_in(maria), "transfer_to", [chat], apply="1", to_agent=bob.pk)

    page = response.content.decode()
    assert f"{person(bob)} now owns chat #{chat.pk}." in page
    assert "waiting for an answer" not in page
    chat.refresh_from_db()
    assert chat.owner == bob


def test_the_admin_names_people_by_their_full_names_not_their_logins(team):
    """As the workspace does: "Transfer to" lists colleagues, and the history shows who did what, by name."""
    _channel, alice, bob, _away, maria, chat = team
    maria.is_superuser = True
    maria.save(update_fields=["is_superuser"])
    client = logged_in(maria)

    form = run_action(client, "transfer_to", [chat]).content.decode()
    assert f'<option value="{bob.pk}">{person(bob)}</option>' in form
    assert f"Chat with Vera, owned by {person(alice)}." in form

    transfer = offer(chat, alice, bob)
    for url in (f"/admin/chat/chatsession/{chat.pk}/change/", f"/admin/transfers/transfer/{transfer.pk}/change/"):
        page = client.get(url).content.decode()
        assert person(alice) in page and person(bob) in page, url
        assert f">{alice.username}<" not in page and f">{bob.username}<" not in page, url
    member_form = client.get(f"/admin/chat/channel/{chat.channel_id}/change/").content.decode()
    assert f">{person(bob)}</option>" in member_form and f">{bob.username}</option>" not in member_form


def test_a_manager_cannot_transfer_a_chat_to_herself_from_the_admin(team):
    _channel, _alice, _bob, _away, maria, chat = team

    form = run_action(logged_in(maria), "transfer_to", [chat]).content.decode()

    assert f'<option value="{maria.pk}"' not in form, "Take over is the way to own it"


def test_a_chat_changes_only_through_the_services_not_the_admins_change_form(team):
    _channel, alice, _bob, _away, maria, chat = team
    maria.is_superuser = True
    maria.save(update_fields=["is_superuser"])
    client = logged_in(maria)

    page = client.get(f"/admin/chat/chatsession/{chat.pk}/change/").content.decode()
    for field in ("contact", "rating", "rating_comment", "reactivated_at", "owner", "status"):
        assert f'name="{field}' not in page, f"{field} is editable"
    client.post(f"/admin/chat/chatsession/{chat.pk}/change/", {"rating": "1", "rating_comment": "forged"})
    chat.refresh_from_db()
    assert (chat.rating, chat.rating_comment) == (None, "")


def test_transfer_to_a_forged_away_agent_is_refused_and_nothing_waits(team):
    _channel, _alice, _bob, away, maria, chat = team

    response = run_action(logged_in(maria), "transfer_to", [chat], apply="1", to_agent=away.pk)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_list_shows_owner_status_and_the_pending_transfer(team):
    _channel, alice, bob, _away, maria, chat = team
    offer(chat, alice, bob)

    page = logged_in(maria).get(CHANGELIST).content.decode()

    assert "Vera" in page
    assert f'<td class="field-owner_name">{person(alice)}</td>' in page
    assert f'<td class="field-pending_transfer">{person(bob)}</td>' in page
    assert 'ws-connect="/ws/admin/chat-sessions/"' in page


def test_an_agent_who_is_not_staff_cannot_use_the_admin_actions(team):
    _channel, alice, bob, _away, _maria, chat = team

    response = logged_in(bob).post(CHANGELIST, {"action": "take_over", ACTION_CHECKBOX_NAME: [chat.pk]})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    chat.refresh_from_db()
    assert chat.owner == alice


def test_the_transfer_history_in_the_admin_is_read_only(team):
    _channel, alice, bob, _away, maria, chat = team
    transfer = offer(chat, alice, bob, note="Billing question")
    maria.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_transfer", "change_transfer", "add_transfer"])
    )
    client = logged_in(maria)

    page = client.get(f"/admin/transfers/transfer/{transfer.pk}/change/")
    assert page.status_code == 200
    assert "Billing question" in page.content.decode()
    assert 'name="note"' not in page.content.decode(), "no editable field"

    assert client.get("/admin/transfers/transfer/add/").status_code == 403
    client.post(f"/admin/transfers/transfer/{transfer.pk}/change/", {"note": "forged", "status": "accepted"})
    transfer.refresh_from_db()
    assert (transfer.note, transfer.status) == ("Billing question", Transfer.Status.PENDING)


def test_the_record_of_who_listened_is_read_only_in_the_admin(team):
    """A superuser cannot add, change or delete it either: only the services write it."""
    _channel, alice, bob, _away, maria, chat = team
    visit = Listener.objects.create(session=chat, agent=bob, reason=Listener.Reason.SUPERVISOR)
    maria.is_superuser = True
    maria.save(update_fields=["is_superuser"])
    client = logged_in(maria)

    page = client.get(f"/admin/chat/listener/{visit.pk}/change/")
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
    assert client.get("/admin/chat/listener/add/").status_code == 403
    assert client.get(f"/admin/chat/listener/{visit.pk}/delete/").status_code == 403
    client.post(f"/admin/chat/listener/{visit.pk}/change/", {"reason": "handed_over", "closed_at_0": "2020-01-01"})
    visit.refresh_from_db()
    assert visit.reason == Listener.Reason.SUPERVISOR and visit.closed_at is None


@pytest.mark.django_db(transaction=True)
async def test_the_admin_list_socket_tells_a_manager_to_refresh_when_a_chat_changes():
    def setup():
        channel = support_channel()
        return make_agent("alice", channel=channel), make_agent("bob", channel=channel), make_manager(channel=channel)

    alice, bob, maria = await database_sync_to_async(setup)()
    communicator = await socket("/ws/admin/chat-sessions/", maria)
    chat = await database_sync_to_async(active_chat)(alice)

    await database_sync_to_async(offer)(chat, alice, bob)

    assert 'hx-select="#changelist-form"' in await frame_with(communicator, "admin-live-refresh")
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_admin_list_socket_refuses_an_agent_and_a_stranger():
    bob = await database_sync_to_async(make_agent)("bob")

    assert await close_code(await socket("/ws/admin/chat-sessions/", bob)) == 4403
    assert await close_code(await socket("/ws/admin/chat-sessions/")) == 4401
