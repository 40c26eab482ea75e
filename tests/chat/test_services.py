"""The live chat loop's services: start, queue, answer, post, end, presence, and when pushes go out."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.utils import timezone

from chat.models import ChatSession, Message
from chat.services.messages import message_post_by_agent, message_post_by_visitor
from chat.services.sessions import Offline, queue_take_next, session_answer, session_end, session_start
from helpdesk.errors import Conflict, Invalid, NotAllowed
from helpdesk.models import AgentProfile
from helpdesk.services.presence import presence_set
from helpdesk.templatetags.people import person
from live import events
from tests.factories import ChannelFactory, ChatSessionFactory, active_chat, make_agent
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


# --- Starting a chat -------------------------------------------------------------------------------


def test_a_started_chat_waits_in_the_queue_with_the_question_as_first_visitor_message(support, alice):
    session = session_start(channel=support, visitor_name="  Vera  ", visitor_email="vera@example.org",
                            question="Where is my parcel?")

    assert session.status == ChatSession.Status.QUEUED
    assert session.owner is None
    assert session.visitor_name == "Vera"
    first = session.messages.get()
    assert (first.kind, first.body) == (Message.Kind.VISITOR, "Where is my parcel?")


def test_a_chat_without_a_question_starts_with_an_empty_transcript(support, alice):
    session = session_start(channel=support, visitor_name="Vera", question="   ")

    assert session.messages.count() == 0


def test_starting_a_chat_is_refused_with_offline_when_no_agent_is_present(support):
    make_agent("away-agent", present=False, channel=support)

    with pytest.raises(Offline):
        session_start(channel=support, visitor_name="Vera", question="Hello?")
    assert not ChatSession.objects.exists()


def test_a_present_agent_of_another_channel_does_not_make_this_one_online(support):
    make_agent("sales-agent", channel=ChannelFactory(slug="sales"))

    with pytest.raises(Offline):
        session_start(channel=support, visitor_name="Vera")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_starting_a_chat_needs_a_name_of_at_most_100_characters(support, alice, name):
    with pytest.raises(Invalid):
        session_start(channel=support, visitor_name=name, question="Hello?")
    assert not ChatSession.objects.exists()


def test_a_name_of_exactly_100_characters_is_accepted(support, alice):
    assert session_start(channel=support, visitor_name="x" * 100).visitor_name == "x" * 100


# --- The queue ---------------------------------------------------------------------------------------


def test_get_next_in_queue_takes_the_chat_that_has_waited_longest(support, alice):
    newer = ChatSessionFactory(channel=support)
    older = ChatSessionFactory(channel=support)
    ChatSession.objects.filter(pk=older.pk).update(created_at=newer.created_at - timedelta(minutes=5))

    taken = queue_take_next(agent=alice)

    assert taken.pk == older.pk
    assert (taken.status, taken.owner_id) == (ChatSession.Status.ACTIVE, alice.pk)
    newer.refresh_from_db()
    assert newer.status == ChatSession.Status.QUEUED


def test_get_next_in_queue_ignores_chats_on_channels_the_agent_does_not_answer(support, alice):
    other = ChatSessionFactory(channel=ChannelFactory(slug="sales"))
    ChatSession.objects.filter(pk=other.pk).update(created_at=timezone.now() - timedelta(hours=1))
    mine = ChatSessionFactory(channel=support)

    assert queue_take_next(agent=alice).pk == mine.pk
    assert queue_take_next(agent=alice) is None
    other.refresh_from_db()
    assert other.status == ChatSession.Status.QUEUED


def test_get_next_in_queue_returns_nothing_when_nobody_waits(support, alice):
    active_chat(support, make_agent("bob", channel=support))

    assert queue_take_next(agent=alice) is None


def test_taking_a_chat_tells_the_visitor_who_joined(support, alice):
    session = ChatSessionFactory(channel=support)

    queue_take_next(agent=alice)

    joined = session.messages.get(kind=Message.Kind.EVENT)
    assert (joined.event, joined.author_id) == (Message.Event.AGENT_JOINED, alice.pk)


def test_answering_a_chat_someone_already_answered_names_who_did(support, alice, bob):
    session = ChatSessionFactory(channel=support)
    session_answer(session=session, agent=alice)

    with pytest.raises(Conflict) as refused:
        session_answer(session=ChatSession.objects.get(pk=session.pk), agent=bob)

    assert refused.value.message == f"{person(alice)} already answered this chat."
    session.refresh_from_db()
    assert session.owner_id == alice.pk


def test_an_agent_who_cannot_respond_on_the_channel_cannot_answer(support, alice):
    listener = make_agent("carol", channel=support, can_respond=False, can_listen_in=True)
    session = ChatSessionFactory(channel=support)

    with pytest.raises(NotAllowed):
        session_answer(session=session, agent=listener)
    session.refresh_from_db()
    assert session.is_queued


def _race_for_the_queue(agent_ids):
    """Both agents press "Get next in queue" at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(agent_ids), timeout=30)
    taken, errors = {}, []

    def press_get_next(agent_id):
        try:
            agent = get_user_model().objects.get(pk=agent_id)
            barrier.wait()
            session = queue_take_next(agent=agent)
            taken[agent_id] = session.pk if session else None
        except BaseException as error:  # noqa: BLE001 - reported in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_get_next, args=(agent_id,)) for agent_id in agent_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an agent is still waiting for the database"
    assert not errors, errors
    return taken


ROUNDS = 5


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_the_next_chat_at_once_get_two_different_chats(support, alice, bob):
    for _round in range(ROUNDS):
        waiting = {ChatSessionFactory(channel=support).pk, ChatSessionFactory(channel=support).pk}

        taken = _race_for_the_queue([alice.pk, bob.pk])

        # Neither is told "nobody is waiting" while a chat waits, and no chat goes to both.
        assert set(taken.values()) == waiting
        for agent_id, session_id in taken.items():
            assert ChatSession.objects.get(pk=session_id).owner_id == agent_id
        assert Message.objects.filter(session_id__in=waiting, event=Message.Event.AGENT_JOINED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_agents_racing_for_the_only_waiting_chat_exactly_one_gets_it(support, alice, bob):
    for _round in range(ROUNDS):
        only = ChatSessionFactory(channel=support)

        taken = _race_for_the_queue([alice.pk, bob.pk])

        winners = [agent_id for agent_id, session_id in taken.items() if session_id is not None]
        assert len(winners) == 1
        assert taken[winners[0]] == only.pk
        only.refresh_from_db()
        assert (only.status, only.owner_id) == (ChatSession.Status.ACTIVE, winners[0])
        assert only.messages.filter(event=Message.Event.AGENT_JOINED).count() == 1


# --- Messages -----------------------------------------------------------------------------------------


def test_only_the_owner_can_reply_to_a_chat(support, alice, bob):
    session = active_chat(support, alice)

    with pytest.raises(NotAllowed):
        message_post_by_agent(session_id=session.pk, agent=bob, body="I'll take it from here")
    assert not session.messages.exists()


def test_the_owner_reply_is_stored_and_counts_as_read(support, alice):
    session = active_chat(support, alice)

    message = message_post_by_agent(session_id=session.pk, agent=alice, body="  Hello Vera  ")

    assert (message.kind, message.author_id, message.body) == (Message.Kind.AGENT, alice.pk, "Hello Vera")
    assert session.read_marks.get(agent=alice).last_read_message_id == message.pk


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 4001])
def test_an_empty_or_too_long_message_is_refused(support, alice, body):
    session = active_chat(support, alice)

    with pytest.raises(Invalid):
        message_post_by_agent(session_id=session.pk, agent=alice, body=body)
    with pytest.raises(Invalid):
        message_post_by_visitor(session=session, body=body)
    assert not session.messages.exists()


def test_a_message_of_exactly_4000_characters_is_accepted(support, alice):
    session = active_chat(support, alice)

    assert len(message_post_by_visitor(session=session, body="x" * 4000).body) == 4000


def test_nobody_can_post_to_an_ended_chat(support, alice):
    session = active_chat(support, alice)
    session_end(session=session, by_visitor=True)

    with pytest.raises(Conflict):
        message_post_by_agent(session_id=session.pk, agent=alice, body="Are you still there?")
    with pytest.raises(Conflict):
        message_post_by_visitor(session=session, body="One more thing")
    assert not session.messages.exclude(kind=Message.Kind.EVENT).exists()


def test_a_visitor_can_write_while_waiting_in_the_queue(support, alice):
    session = ChatSessionFactory(channel=support)

    message_post_by_visitor(session=session, body="Anyone there?")

    assert session.messages.get().body == "Anyone there?"


# --- Ending a chat ------------------------------------------------------------------------------------


def test_the_visitor_ending_a_chat_records_an_event_without_an_agent(support, alice):
    session = active_chat(support, alice)

    session_end(session=session, by_visitor=True)

    session.refresh_from_db()
    assert session.status == ChatSession.Status.ENDED and session.ended_at is not None
    ended = session.messages.get(kind=Message.Kind.EVENT)
    assert (ended.event, ended.author_id) == (Message.Event.CHAT_ENDED, None)


def test_the_owner_ending_a_chat_records_who_ended_it(support, alice):
    session = active_chat(support, alice)

    session_end(session=session, agent=alice)

    session.refresh_from_db()
    assert session.status == ChatSession.Status.ENDED
    assert session.messages.get(event=Message.Event.CHAT_ENDED).author_id == alice.pk


def test_ending_a_chat_cancels_the_transfer_waiting_on_it(support, alice, bob):
    session = active_chat(support, alice)
    transfer = Transfer.objects.create(session=session, from_agent=alice, to_agent=bob, requested_by=alice)

    session_end(session=session, by_visitor=True)

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED and transfer.decided_at is not None


def test_an_agent_who_does_not_own_a_chat_cannot_end_it(support, alice, bob):
    session = active_chat(support, alice)

    with pytest.raises(NotAllowed):
        session_end(session=session, agent=bob)
    session.refresh_from_db()
    assert session.is_active


def test_a_manager_can_end_a_colleagues_chat(support, alice):
    maria = make_agent("maria", channel=support, is_manager=True)
    session = active_chat(support, alice)

    session_end(session=session, agent=maria)

    session.refresh_from_db()
    assert session.is_ended


def test_ending_an_ended_chat_again_is_a_conflict(support, alice):
    session = active_chat(support, alice)
    session_end(session=session, by_visitor=True)

    with pytest.raises(Conflict):
        session_end(session=session, agent=alice)
    assert session.messages.filter(event=Message.Event.CHAT_ENDED).count() == 1


def test_a_visitor_who_leaves_the_queue_cannot_be_answered_any_more(support, alice):
    session = ChatSessionFactory(channel=support)
    session_end(session=session, by_visitor=True)

    with pytest.raises(Conflict):
        session_answer(session=session, agent=alice)
    assert queue_take_next(agent=alice) is None


# --- Presence -----------------------------------------------------------------------------------------


def test_setting_away_is_stored_and_takes_the_channel_offline(support, alice):
    profile = presence_set(user=alice, status="away")

    assert AgentProfile.objects.get(user=alice).status == AgentProfile.Status.AWAY
    assert not profile.is_present
    with pytest.raises(Offline):
        session_start(channel=support, visitor_name="Vera")


def test_setting_present_brings_the_channel_back_online(support):
    agent = make_agent("dora", present=False, channel=support)

    presence_set(user=agent, status="present")

    assert session_start(channel=support, visitor_name="Vera").is_queued


def test_presence_must_be_present_or_away(alice):
    with pytest.raises(Invalid):
        presence_set(user=alice, status="busy")
    assert AgentProfile.objects.get(user=alice).status == AgentProfile.Status.PRESENT


# --- Live pushes: only after the commit, to the right groups ------------------------------------------


def _groups(batches):
    return {group for batch in batches for group, _type in batch}


def test_a_started_chat_is_announced_to_the_team_and_the_channel_queue_after_commit(
    support, alice, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session_start(channel=support, visitor_name="Vera")
        assert sent == []  # inside the transaction nothing has gone out yet

    assert sent == [[(events.TEAM_GROUP, events.TEAM_CHANGED), (events.queue_group(support.pk), events.QUEUE_CHANGED)]]


def test_answering_tells_the_team_the_agent_the_chat_and_its_queue(
    support, alice, sent, django_capture_on_commit_callbacks
):
    session = ChatSessionFactory(channel=support)

    with django_capture_on_commit_callbacks(execute=True):
        session_answer(session=session, agent=alice)
        assert sent == []

    assert _groups(sent) == {
        events.TEAM_GROUP, events.agent_group(alice.pk), events.session_group(session.pk), events.queue_group(support.pk),
    }


def test_a_visitor_message_goes_to_the_chat_and_its_owner_only(
    support, alice, bob, sent, django_capture_on_commit_callbacks
):
    session = active_chat(support, alice)

    with django_capture_on_commit_callbacks(execute=True):
        message_post_by_visitor(session=session, body="Hi")
        assert sent == []

    assert _groups(sent) == {events.agent_group(alice.pk), events.session_group(session.pk)}


def test_ending_a_chat_tells_the_team_the_owner_and_the_transfer_target(
    support, alice, bob, sent, django_capture_on_commit_callbacks
):
    session = active_chat(support, alice)
    Transfer.objects.create(session=session, from_agent=alice, to_agent=bob, requested_by=alice)

    with django_capture_on_commit_callbacks(execute=True):
        session_end(session=session, agent=alice)
        assert sent == []

    assert _groups(sent) == {
        events.TEAM_GROUP, events.agent_group(alice.pk), events.agent_group(bob.pk), events.session_group(session.pk),
    }


def test_a_presence_change_is_pushed_to_the_team_the_agent_and_the_channels_open_chats(
        alice, support, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        presence_set(user=alice, status="away")
        assert sent == []

    assert _groups(sent) == {events.TEAM_GROUP, events.agent_group(alice.pk), events.colleagues_group(support.pk)}


def test_setting_the_same_presence_again_pushes_nothing(alice, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        presence_set(user=alice, status="present")

    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_a_push_waits_for_the_outer_transaction_and_a_rollback_sends_nothing(support, alice, sent):
    session = active_chat(support, alice)

    with transaction.atomic():
        message_post_by_visitor(session=session, body="First")
        assert sent == []  # the service's own block has ended, but the outer one has not committed
    assert _groups(sent) == {events.agent_group(alice.pk), events.session_group(session.pk)}

    sent.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        message_post_by_visitor(session=session, body="Rolled back")
        raise RuntimeError("the request failed after the post")
    assert sent == []
    assert list(session.messages.values_list("body", flat=True)) == ["First"]
