"""Cleaning up a flood: Mark as spam, blocking the address it came from, and ending queued chats in bulk,
in the services, over HTTP, on the Dashboard and in the admin."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.utils import timezone

from chat import selectors
from chat.models import BlockedAddress, ChatSession, Message
from chat.services import spam
from chat.services.feedback import feedback_give
from chat.services.sessions import Blocked, session_end, session_reactivate, session_start
from helpdesk import roles
from helpdesk.errors import Conflict, Invalid, NotAllowed, NotFound
from helpdesk.models import Activity, Contact
from live import fragments
from tests.factories import (
    ChannelFactory, ChatSessionFactory, active_chat, logged_in, make_agent, make_channel_manager,
)

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


def queued(channel, **fields):
    return ChatSessionFactory(channel=channel, **{"visitor_address": ADDRESS, **fields})


# --- The service -----------------------------------------------------------------------------------------


def test_marking_a_queued_chat_as_spam_ends_it_and_takes_it_out_of_the_queue_and_its_counts(support, alice):
    flood = [queued(support) for _ in range(3)]
    real = queued(support, visitor_name="Vera", visitor_address="198.51.100.1")

    spam.session_mark_spam(session=flood[0], by=alice)

    flood[0].refresh_from_db()
    assert flood[0].is_ended and flood[0].end_reason == ChatSession.EndReason.SPAM
    assert flood[0].messages.filter(event=Message.Event.CHAT_ENDED, author=alice).exists()
    context = fragments.team_context(roles.rights_by_channel(alice))
    assert context["incoming_count"] == 3
    assert flood[0] not in context["incoming_chats"]
    assert selectors.queue_position(real) == 3


def test_an_agent_marks_a_waiting_chat_or_their_own_but_not_a_colleagues(support, alice, bob):
    bobs_chat = active_chat(support, bob)

    with pytest.raises(NotAllowed):
        spam.session_mark_spam(session=bobs_chat, by=alice)
    spam.session_mark_spam(session=bobs_chat, by=bob)

    bobs_chat.refresh_from_db()
    assert bobs_chat.is_spam


def test_a_manager_marks_any_chat_of_their_channel_and_nobody_marks_another_channels(support, alice, maria):
    other = ChannelFactory(slug="sales")
    stranger = make_agent("sven", channel=other, is_manager=True)
    alices_chat = active_chat(support, alice)

    with pytest.raises(NotAllowed):
        spam.session_mark_spam(session=alices_chat, by=stranger)
    spam.session_mark_spam(session=alices_chat, by=maria)

    with pytest.raises(Conflict):
        spam.session_mark_spam(session=alices_chat, by=maria)


def test_a_spam_chat_leaves_recent_chat_sessions_and_cannot_come_back_or_mail_its_transcript(support, alice):
    support.transcript_by_email = True
    support.save()
    chat = active_chat(support, alice, contact=Contact.objects.create(first_name="Spam", email="x@example.org"))
    ended = active_chat(support, alice)
    session_end(session=ended, agent=alice)
    spam.session_mark_spam(session=chat, by=alice)

    assert list(selectors.recent_sessions(alice)) == [ended]
    assert not Activity.objects.filter(session=chat).exists(), "a spam chat is nobody's history"
    with pytest.raises(Conflict):
        session_reactivate(session=chat)
    with pytest.raises(Conflict):
        feedback_give(session=chat, rating=5, send_transcript=True)


def test_marking_with_a_block_refuses_new_chats_from_that_address_on_that_channel_for_that_time(support, alice):
    other = ChannelFactory(slug="sales")
    make_agent("sven", channel=other)
    chat = queued(support)

    spam.session_mark_spam(session=chat, by=alice, block_for=timedelta(days=1))

    block = BlockedAddress.objects.get()
    assert (block.channel, block.address, block.blocked_by, block.session) == (support, ADDRESS, alice, chat)
    assert timedelta(hours=23) < block.until - timezone.now() <= timedelta(days=1)
    with pytest.raises(Blocked):
        session_start(channel=support, visitor_name="Again", visitor_address=ADDRESS)
    assert session_start(channel=support, visitor_name="Someone else", visitor_address="198.51.100.1")
    assert session_start(channel=other, visitor_name="Elsewhere", visitor_address=ADDRESS)

    BlockedAddress.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert session_start(channel=support, visitor_name="Later", visitor_address=ADDRESS)


def test_a_second_block_of_the_same_address_lengthens_the_first_instead_of_adding_one(support, alice):
    spam.session_mark_spam(session=queued(support), by=alice, block_for=timedelta(hours=1))
    spam.session_mark_spam(session=queued(support), by=alice, block_for=timedelta(days=7))
    spam.session_mark_spam(session=queued(support), by=alice, block_for=timedelta(hours=1))

    block = BlockedAddress.objects.get()
    assert block.until - timezone.now() > timedelta(days=6)


def test_a_form_value_that_is_no_block_choice_is_refused():
    assert spam.block_duration("") is None
    assert spam.block_duration("7d") == timedelta(days=7)
    with pytest.raises(Invalid):
        spam.block_duration("forever")


def test_a_manager_ends_the_waiting_chats_of_their_channel_in_bulk_and_leaves_answered_ones(support, alice):
    flood = [queued(support) for _ in range(3)]
    answered = active_chat(support, alice)

    ended = spam.queue_end_many(
        session_ids=[c.pk for c in [*flood, answered]], by=make_channel_manager("max", support),
        spam=True, block_for=timedelta(hours=1),
    )

    assert ended == 3
    assert set(ChatSession.objects.filter(end_reason="spam")) == set(flood)
    answered.refresh_from_db()
    assert answered.is_active
    assert BlockedAddress.objects.filter(channel=support, address=ADDRESS).count() == 1


def test_a_chat_of_another_channel_among_the_chosen_is_refused_and_nothing_ends(support):
    mine, elsewhere = queued(support), queued(ChannelFactory(slug="sales"))

    with pytest.raises(NotFound):
        spam.queue_end_many(session_ids=[mine.pk, elsewhere.pk], by=make_channel_manager("max", support))

    assert ChatSession.objects.filter(status=ChatSession.Status.QUEUED).count() == 2


def test_ending_queued_chats_in_bulk_without_spam_ends_them_as_by_an_agent(support, maria):
    chats = [queued(support) for _ in range(2)]

    assert spam.queue_end_many(session_ids=[c.pk for c in chats], by=maria) == 2

    assert set(ChatSession.objects.values_list("end_reason", flat=True)) == {ChatSession.EndReason.AGENT}
    assert not BlockedAddress.objects.exists()


def test_only_a_manager_ends_queued_chats_in_bulk(support, alice):
    with pytest.raises(NotAllowed):
        spam.queue_end_many(session_ids=[queued(support).pk], by=alice)


def test_the_visitor_of_a_spam_chat_sees_it_ended_without_a_post_chat_form(support, alice):
    chat = queued(support)
    spam.session_mark_spam(session=chat, by=alice)

    page = Client().get(f"/widget/support/chat/{chat.token}/")

    assert "The chat has ended." in page.text
    assert "widget-postchat" not in page.text


def test_marking_as_spam_tells_the_queue_the_dashboards_and_the_visitor(support, alice, django_capture_on_commit_callbacks):
    chat = queued(support)
    with mock.patch("live.events.send_now") as send_now, django_capture_on_commit_callbacks(execute=True):
        spam.session_mark_spam(session=chat, by=alice)

    groups = {group: event for group, event in send_now.call_args.args[0]}
    assert groups["team"]["parts"] == ["queue"]
    assert groups[f"session.{chat.pk}"]["type"] == "session.changed"
    assert groups[f"queue.{support.pk}"]["waiting"] == []


# --- Over HTTP -------------------------------------------------------------------------------------------


def test_a_blocked_visitor_starting_a_chat_is_told_why_and_keeps_what_they_typed(support, alice):
    BlockedAddress.objects.create(channel=support, address="127.0.0.1", until=timezone.now() + timedelta(hours=1))

    response = Client().post("/widget/support/start/", {"name": "Vera", "question": "Hello?"})

    assert response.status_code == 403
    assert "Chats from your address are blocked for now." in response.text
    assert "Hello?" in response.text
    assert not ChatSession.objects.exists()


def test_a_chat_started_over_http_keeps_the_address_it_came_from(support, alice):
    Client(REMOTE_ADDR=ADDRESS).post("/widget/support/start/", {"name": "Vera"})

    assert ChatSession.objects.get().visitor_address == ADDRESS


def test_mark_as_spam_from_the_menu_blocks_the_address_and_closes_the_panel(support, alice):
    chat = active_chat(support, alice, visitor_address=ADDRESS)

    response = logged_in(alice).post(f"/chats/{chat.pk}/spam/", {"block_for": "1d"})

    assert response.status_code == 200
    assert 'id="chat-panel" class="panel empty"' in response.text
    assert BlockedAddress.objects.get().address == ADDRESS


def test_mark_as_spam_refuses_a_colleagues_chat_and_an_unknown_block_time(support, alice, bob):
    chat = active_chat(support, bob)

    assert logged_in(alice).post(f"/chats/{chat.pk}/spam/").status_code == 403
    assert logged_in(bob).post(f"/chats/{chat.pk}/spam/", {"block_for": "ever"}).status_code == 400
    chat.refresh_from_db()
    assert chat.is_active


def test_end_selected_and_mark_selected_as_spam_answer_a_manager_only(support, alice, maria):
    chats = [queued(support) for _ in range(2)]
    data = {"session": [c.pk for c in chats], "action": "spam", "block_for": "1h"}

    assert logged_in(alice).post("/chats/queue/end/", data).status_code == 403
    assert logged_in(maria).post("/chats/queue/end/", {"action": "end"}).status_code == 400
    assert logged_in(maria).post("/chats/queue/end/", {**data, "session": "x"}).status_code == 404
    assert logged_in(maria).post("/chats/queue/end/", data).status_code == 204

    assert ChatSession.objects.filter(end_reason="spam").count() == 2
    assert BlockedAddress.objects.count() == 1


def test_the_incoming_list_offers_bulk_ending_to_managers_and_mark_as_spam_to_every_agent(support, alice):
    chat = queued(support)
    manager = make_channel_manager("max", support)

    agent_page, manager_page = logged_in(alice).get("/").text, logged_in(manager).get("/").text

    for page in (agent_page, manager_page):
        assert f'hx-post="/chats/{chat.pk}/spam/"' in page
        assert "Block address for" in page
    assert "End selected" not in agent_page and f'id="incoming-pick-{chat.pk}"' not in agent_page
    assert "End selected" in manager_page and "Mark selected as spam" in manager_page
    assert f'id="incoming-pick-{chat.pk}"' in manager_page


def test_the_chat_menu_offers_mark_as_spam_to_the_owner_and_a_manager_not_to_a_listener(support, alice, carol, maria):
    chat = active_chat(support, alice)

    pages = {user.username: logged_in(user).get(f"/chats/{chat.pk}/").text for user in (alice, carol, maria)}

    assert "Mark as spam" in pages["alice"] and "Mark as spam" in pages["maria"]
    assert "Mark as spam" not in pages["carol"]


# --- In the admin ----------------------------------------------------------------------------------------


def test_the_admin_ends_or_marks_queued_chats_as_spam_in_bulk_and_leaves_answered_ones(support, alice):
    manager = make_channel_manager("max", support)
    flood = [queued(support) for _ in range(2)]
    answered = active_chat(support, alice)
    client = logged_in(manager)

    response = client.post("/admin/chat/chatsession/", {
        "action": "mark_queued_spam", ACTION_CHECKBOX_NAME: [c.pk for c in [*flood, answered]],
    }, follow=True)

    assert "2 chats ended." in response.text
    assert "Chats no longer waiting in the queue were left as they are." in response.text
    assert ChatSession.objects.filter(end_reason="spam").count() == 2
    answered.refresh_from_db()
    assert answered.is_active

    waiting = queued(support)
    client.post("/admin/chat/chatsession/", {"action": "end_queued", ACTION_CHECKBOX_NAME: [waiting.pk]})
    waiting.refresh_from_db()
    assert waiting.end_reason == ChatSession.EndReason.AGENT
