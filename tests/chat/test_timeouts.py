"""What time does to a chat nobody acts on: the visitor's heartbeat and "Visitor left", abandoned waiting chats,
the inactivity time-out, and the chats of an agent who is Away going back to the queue; each made once
when several processes sweep at the same moment.

The sweep takes the moment it runs at (`now`), so the tests look ahead instead of waiting.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone, translation

from chat import selectors
from chat.models import ChatSession, Message
from chat.services import timeouts, visitors
from chat.services.messages import message_post_by_visitor
from chat.services.sessions import session_answer, session_start
from helpdesk.errors import Conflict
from helpdesk.models import AgentProfile
from helpdesk.services.presence import presence_set
from live import events, workspace_lists
from tests.factories import ChatSessionFactory
from tests.transfers.test_concurrency import race
from transfers.models import Transfer

pytestmark = pytest.mark.django_db

GRACE = timedelta(seconds=61)  # just past the default PRESENCE_GRACE_SECONDS


def groups(batches):
    return {group for batch in batches for group, _type in batch}


def later(delta):
    return timezone.now() + delta


def answered_chat(support, agent, name="Vera"):
    session = session_start(channel=support, visitor_name=name, question="Hello?")
    return session_answer(session=session, agent=agent)


def events_of(session):
    return list(session.messages.filter(kind=Message.Kind.EVENT).values_list("event", flat=True))


# --- The visitor's heartbeat and "Visitor left" -----------------------------------------------------------


def test_a_visitor_whose_widget_is_gone_for_the_grace_period_is_shown_as_left_once(
    support, alice, sent, django_capture_on_commit_callbacks
):
    session = answered_chat(support, alice)
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = timeouts.chats_time_out(now=later(GRACE))
    with django_capture_on_commit_callbacks(execute=True):
        second = timeouts.chats_time_out(now=later(GRACE))

    session.refresh_from_db()
    assert (first["left"], second["left"]) == (1, 0)
    assert session.visitor_left_at is not None and session.is_active
    assert groups(sent) == {events.session_group(session.pk), events.agent_group(alice.pk)}
    assert len(sent) == 1, "the second sweep finds the visitor marked already and pushes nothing"


def test_a_visitor_seen_within_the_grace_period_has_not_left(support, alice):
    session = answered_chat(support, alice)

    assert timeouts.chats_time_out(now=later(GRACE - timedelta(seconds=2))) == {
        "abandoned": 0, "left": 0, "inactive": 0, "requeued": 0,
    }
    session.refresh_from_db()
    assert session.visitor_left_at is None


def test_the_heartbeat_keeps_the_visitor_here_and_a_renewal_is_silent(
    support, alice, sent, django_capture_on_commit_callbacks
):
    session = answered_chat(support, alice)
    ChatSession.objects.filter(pk=session.pk).update(visitor_seen_at=timezone.now() - GRACE)
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        visitors.visitors_seen(session_ids=[session.pk])

    assert timeouts.chats_time_out()["left"] == 0
    assert sent == []


def test_a_visitor_who_comes_back_is_no_longer_shown_as_left_and_the_agents_are_told(
    support, alice, sent, django_capture_on_commit_callbacks
):
    session = answered_chat(support, alice)
    timeouts.chats_time_out(now=later(GRACE))
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        visitors.visitors_seen(session_ids=[session.pk])

    session.refresh_from_db()
    assert session.visitor_left_at is None
    assert groups(sent) == {events.session_group(session.pk), events.agent_group(alice.pk)}


def test_visitor_left_shows_in_the_panel_header_and_the_sessions_list_entry(support, alice):
    session = answered_chat(support, alice)
    timeouts.chats_time_out(now=later(GRACE))
    session = ChatSession.objects.select_related("channel", "owner").get(pk=session.pk)
    entry = workspace_lists.sessions_list(alice).get(pk=session.pk)

    for language, words in [("en", "Visitor left"), ("nl", "Bezoeker is vertrokken"), ("sv", "Besökaren har lämnat")]:
        with translation.override(language):
            assert words in render_to_string("chat/partials/panel_header.html", {"session": session})
            assert words in render_to_string("chat/partials/session_entry.html", {"chat": entry})


# --- A waiting chat whose visitor left -----------------------------------------------------------------


def test_a_waiting_chat_whose_visitor_left_leaves_the_queue_as_abandoned_never_answered(
    support, alice, sent, django_capture_on_commit_callbacks
):
    session = session_start(channel=support, visitor_name="Vera")
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert timeouts.chats_time_out(now=later(GRACE))["abandoned"] == 1

    session.refresh_from_db()
    assert session.is_ended and session.end_reason == ChatSession.EndReason.ABANDONED
    assert session.answered_at is None
    assert not ChatSession.objects.waiting().filter(pk=session.pk).exists()
    assert events_of(session) == [Message.Event.CHAT_ABANDONED]
    assert groups(sent) == {events.TEAM_GROUP, events.session_group(session.pk), events.queue_group(support.pk)}


def test_an_abandoned_chat_can_no_longer_be_answered(support, alice):
    session = session_start(channel=support, visitor_name="Vera")
    timeouts.chats_time_out(now=later(GRACE))

    with pytest.raises(Conflict, match="The visitor left before anyone answered."):
        session_answer(session=session, agent=alice)


# --- Inactivity -----------------------------------------------------------------------------------------


def test_a_chat_nobody_writes_in_for_the_channels_time_ends_by_inactivity_and_moves_to_recent(
    support, alice, bob, sent, django_capture_on_commit_callbacks
):
    session = answered_chat(support, alice)
    offer = Transfer.objects.create(session=session, from_agent=alice, to_agent=bob, requested_by=alice)
    visitors.visitors_seen(session_ids=[session.pk])
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = timeouts.chats_time_out(now=later(timedelta(minutes=31)))

    session.refresh_from_db()
    offer.refresh_from_db()
    assert done["inactive"] == 1
    assert session.is_ended and session.end_reason == ChatSession.EndReason.INACTIVITY
    assert events_of(session)[-1] == Message.Event.CHAT_INACTIVE
    assert offer.status == Transfer.Status.EXPIRED, "its receiver is told the offer timed out"
    assert session in selectors.recent_sessions(alice) and not workspace_lists.sessions_list(alice).exists()
    assert {events.TEAM_GROUP, events.agent_group(alice.pk), events.agent_group(bob.pk),
            events.session_group(session.pk)} <= groups(sent)


def test_a_line_from_either_side_starts_the_inactivity_time_again(support, alice):
    session = answered_chat(support, alice)
    Message.objects.filter(session=session).update(created_at=timezone.now() - timedelta(minutes=40))
    ChatSession.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(minutes=40))
    message_post_by_visitor(session=session, body="Still there?")

    assert timeouts.chats_time_out(now=later(timedelta(minutes=29)))["inactive"] == 0
    session.refresh_from_db()
    assert session.is_active


def test_an_inactivity_time_out_of_zero_never_ends_a_chat(support, alice):
    support.inactivity_timeout_minutes = 0
    support.save()
    session = answered_chat(support, alice)

    assert timeouts.chats_time_out(now=later(timedelta(days=2)))["inactive"] == 0
    session.refresh_from_db()
    assert session.is_active


@pytest.mark.parametrize("language, words", [
    ("en", "Chat ended by inactivity."),
    ("nl", "Chat beëindigd wegens inactiviteit."),
    ("sv", "Chatten avslutades på grund av inaktivitet."),
])
def test_both_sides_read_the_inactivity_line_in_their_own_language(support, alice, language, words):
    session = answered_chat(support, alice)
    timeouts.chats_time_out(now=later(timedelta(minutes=31)))
    line = session.messages.get(event=Message.Event.CHAT_INACTIVE)

    with translation.override(language):
        assert words in render_to_string("chat/partials/message.html", {"message": line, "session": session})
        assert words in render_to_string("chat/widget/message.html", {"message": line, "session": session})


# --- An owner who is Away -------------------------------------------------------------------------------


@pytest.fixture
def returning_channel(support):
    support.away_owner_requeue_minutes = 5
    support.save()
    return support


def test_the_chats_of_an_agent_who_is_away_stay_with_them_by_default(support, alice):
    session = answered_chat(support, alice)
    presence_set(user=alice, status="away")

    assert timeouts.chats_time_out(now=later(timedelta(hours=1)))["requeued"] == 0
    session.refresh_from_db()
    assert session.owner == alice


def test_an_away_agents_chat_goes_back_to_the_queue_first_with_the_visitor_told(
    returning_channel, alice, bob, sent, django_capture_on_commit_callbacks
):
    waiting_longer = session_start(channel=returning_channel, visitor_name="Walt")
    session = answered_chat(returning_channel, alice)
    offer = Transfer.objects.create(session=session, from_agent=alice, to_agent=bob, requested_by=alice)
    presence_set(user=alice, status="away")
    sent.clear()

    now = later(timedelta(minutes=6))
    ChatSession.objects.update(visitor_seen_at=now)  # both visitors are still there

    with django_capture_on_commit_callbacks(execute=True):
        done = timeouts.chats_time_out(now=now)

    session.refresh_from_db()
    offer.refresh_from_db()
    assert done["requeued"] == 1
    assert session.is_queued and session.owner is None
    assert list(ChatSession.objects.waiting().values_list("pk", flat=True)) == [session.pk, waiting_longer.pk]
    assert selectors.queue_position(session) == 1
    incoming = render_to_string("chat/partials/incoming_list.html", {
        "incoming_chats": list(selectors.incoming_chats([returning_channel.pk])),
    })
    assert incoming.index("Returned to the queue") < incoming.index("Walt"), "the Incoming list says why it is first"
    back = session.messages.get(event=Message.Event.BACK_IN_QUEUE)
    assert back.author == alice
    assert offer.status == Transfer.Status.EXPIRED
    assert {events.TEAM_GROUP, events.agent_group(alice.pk), events.session_group(session.pk),
            events.queue_group(returning_channel.pk)} <= groups(sent)
    with translation.override("en"):
        widget_line = render_to_string("chat/widget/message.html", {"message": back, "session": session})
    assert f"{alice.first_name} is no longer available. You are first in the queue for the next agent." in widget_line


def test_an_away_agent_keeps_the_chat_until_the_channels_minutes_have_passed(returning_channel, alice):
    session = answered_chat(returning_channel, alice)
    presence_set(user=alice, status="away")

    assert timeouts.chats_time_out(now=later(timedelta(minutes=4)))["requeued"] == 0
    presence_set(user=alice, status="present")
    assert timeouts.chats_time_out(now=later(timedelta(minutes=6)))["requeued"] == 0
    session.refresh_from_db()
    assert session.owner == alice


def test_a_chat_given_to_an_agent_who_was_away_already_waits_the_channels_minutes_from_then(returning_channel, alice):
    session = session_start(channel=returning_channel, visitor_name="Vera")
    presence_set(user=alice, status="away")
    AgentProfile.objects.filter(user=alice).update(status_changed_at=timezone.now() - timedelta(hours=2))
    session_answer(session=session, agent=alice)
    ChatSession.objects.update(visitor_seen_at=later(timedelta(minutes=6)))

    assert timeouts.chats_time_out(now=later(timedelta(minutes=4)))["requeued"] == 0
    assert timeouts.chats_time_out(now=later(timedelta(minutes=6)))["requeued"] == 1
    session.refresh_from_db()
    assert session.is_queued


def test_a_returned_chat_reactivated_later_queues_behind_those_already_waiting(returning_channel, alice, bob):
    session = answered_chat(returning_channel, alice)
    presence_set(user=alice, status="away")
    timeouts.chats_time_out(now=later(timedelta(minutes=6)))
    session_answer(session=session, agent=bob)
    ChatSession.objects.filter(pk=session.pk).update(
        status=ChatSession.Status.QUEUED, owner=None, reactivated_at=timezone.now() + timedelta(minutes=7)
    )
    waiting = ChatSessionFactory(channel=returning_channel)

    assert list(ChatSession.objects.waiting().values_list("pk", flat=True)) == [waiting.pk, session.pk]


# --- The command for cron -------------------------------------------------------------------------------


def test_the_time_out_chats_command_runs_every_time_out_and_says_what_it_did(support, alice, capsys):
    session_start(channel=support, visitor_name="Vera")
    ChatSession.objects.update(visitor_seen_at=timezone.now() - GRACE)

    call_command("time_out_chats")

    assert capsys.readouterr().out.strip() == (
        "Abandoned 1 chat(s), marked 0 visitor(s) as left, ended 0 chat(s) by inactivity, "
        "returned 0 chat(s) to the queue."
    )


# --- Several processes at once --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_processes_sweeping_at_once_make_each_change_exactly_once(support, alice, bob):
    support.away_owner_requeue_minutes = 5
    support.save()
    for _ in range(3):
        waiting = session_start(channel=support, visitor_name="Walt")
        left = answered_chat(support, alice, "Lena")
        inactive = answered_chat(support, bob, "Ida")
        presence_set(user=alice, status="away")
        returned = answered_chat(support, alice, "Rita")
        now = later(timedelta(minutes=6))
        ChatSession.objects.update(visitor_seen_at=now)
        ChatSession.objects.filter(pk__in=[waiting.pk, left.pk]).update(visitor_seen_at=now - GRACE)
        ChatSession.objects.filter(pk=inactive.pk).update(created_at=now - timedelta(minutes=40))
        Message.objects.filter(session=inactive).update(created_at=now - timedelta(minutes=40))
        ChatSession.objects.filter(pk=left.pk).update(owner=bob)

        results = race(lambda: timeouts.chats_time_out(now=now), lambda: timeouts.chats_time_out(now=now))

        totals = {key: sum(done[key] for _kind, done in results) for key in results[0][1]}
        assert totals == {"abandoned": 1, "left": 1, "inactive": 1, "requeued": 1}
        assert events_of(waiting).count(Message.Event.CHAT_ABANDONED) == 1
        assert events_of(inactive).count(Message.Event.CHAT_INACTIVE) == 1
        assert events_of(returned).count(Message.Event.BACK_IN_QUEUE) == 1
        presence_set(user=alice, status="present")
        ChatSession.objects.exclude(status=ChatSession.Status.ENDED).update(
            status=ChatSession.Status.ENDED, end_reason=ChatSession.EndReason.AGENT
        )


@pytest.mark.django_db(transaction=True)
def test_a_line_posted_as_the_chat_times_out_either_comes_first_or_is_refused(support, alice):
    for _ in range(3):
        session = answered_chat(support, alice)
        long_ago = timezone.now() - timedelta(minutes=40)
        ChatSession.objects.filter(pk=session.pk).update(created_at=long_ago)
        Message.objects.filter(session=session).update(created_at=long_ago)

        (end_kind, ended), (post_kind, posted) = race(
            lambda: timeouts.session_end_inactive(session_id=session.pk),
            lambda: message_post_by_visitor(session=session, body="Still there?"),
        )

        session.refresh_from_db()
        if ended:
            assert post_kind == "refused" and isinstance(posted, Conflict)
            assert session.is_ended
        else:
            assert post_kind == "ok" and session.is_active


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_racing_the_sweep_never_leaves_a_visitor_who_is_there_shown_as_left(support, alice):
    for _ in range(3):
        session = answered_chat(support, alice)
        ChatSession.objects.filter(pk=session.pk).update(visitor_seen_at=timezone.now() - GRACE)

        race(
            lambda: visitors.visitor_mark_left(session_id=session.pk),
            lambda: visitors.visitors_seen(session_ids=[session.pk]),
        )

        session.refresh_from_db()
        assert session.visitor_left_at is None
