"""The pop-up warning for chats that wait unanswered too long: who gets it, when, and that it comes and goes
live on the Dashboard."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession
from chat.services.sessions import session_answer, session_start
from helpdesk.models import AgentProfile
from helpdesk.services.presence import presence_set
from live.alerts import alerts_html, unanswered_alerts
from tests.factories import ChannelFactory, ChatSessionFactory, make_agent
from tests.transfers import frame_with, fresh, make_manager, socket

pytestmark = pytest.mark.django_db


@pytest.fixture
def support():
    return ChannelFactory(slug="support", name="Support", unanswered_alert_seconds=60, manager_alert_seconds=120)


def waiting_chat(channel, waited_seconds, **fields):
    session = ChatSessionFactory(channel=channel, visitor_name=fields.pop("visitor_name", "Vera"), **fields)
    since = timezone.now() - timedelta(seconds=waited_seconds)
    ChatSession.objects.filter(pk=session.pk).update(created_at=since)
    session.refresh_from_db()
    return session


def away_manager(channel):
    """A manager who is Away, so any warning they get is the manager's own."""
    maria = make_manager("maria", channel=channel, can_respond=False)
    AgentProfile.objects.filter(user=maria).update(status=AgentProfile.Status.AWAY)
    return fresh(maria)


def warned_about(user):
    return [chat.visitor_name for chat in unanswered_alerts(fresh(user)).chats]


# --- Who is warned, and when ---------------------------------------------------------------------------


def test_a_present_agent_is_warned_once_a_chat_has_waited_longer_than_the_channel_allows(support, alice):
    session = waiting_chat(support, waited_seconds=0)

    not_yet = unanswered_alerts(fresh(alice), now=session.created_at + timedelta(seconds=59))
    due = unanswered_alerts(fresh(alice), now=session.created_at + timedelta(seconds=61))

    assert not_yet.chats == []
    assert not_yet.next_due_at == session.created_at + timedelta(seconds=60)
    assert [chat.visitor_name for chat in due.chats] == ["Vera"]
    assert due.chats[0].can_answer and not due.chats[0].as_manager


def test_an_away_agent_is_not_warned(support):
    away = make_agent("amir", present=False, channel=support)
    waiting_chat(support, waited_seconds=120)

    assert warned_about(away) == []


def test_an_agent_without_notifications_on_the_channel_is_not_warned(support):
    quiet = make_agent("quinn", channel=support, notifications=False)
    waiting_chat(support, waited_seconds=120)

    assert warned_about(quiet) == []


def test_an_agent_is_warned_only_about_their_own_channels(support, alice):
    sales = ChannelFactory(slug="sales", unanswered_alert_seconds=60)
    waiting_chat(sales, waited_seconds=120, visitor_name="Sam")
    waiting_chat(support, waited_seconds=120, visitor_name="Vera")

    assert warned_about(alice) == ["Vera"]


def test_a_channel_set_to_0_never_warns(alice):
    never = ChannelFactory(slug="never", unanswered_alert_seconds=0)
    make_agent("alice", channel=never)
    waiting_chat(never, waited_seconds=3600)

    assert warned_about(alice) == []
    assert unanswered_alerts(fresh(alice)).next_due_at is None


def test_an_answered_chat_no_longer_warns(support, alice):
    session = waiting_chat(support, waited_seconds=120)
    session_answer(session=session, agent=fresh(alice))

    assert warned_about(alice) == []


def test_a_chat_that_came_back_to_the_queue_counts_from_its_return(support, alice):
    session = waiting_chat(support, waited_seconds=3600)
    ChatSession.objects.filter(pk=session.pk).update(reactivated_at=timezone.now() - timedelta(seconds=30))

    assert warned_about(alice) == []


def test_a_manager_is_warned_in_their_own_words_even_when_away(support, alice):
    maria = away_manager(support)
    waiting_chat(support, waited_seconds=130)

    [chat] = unanswered_alerts(fresh(maria)).chats
    html, _next = alerts_html(fresh(maria))

    assert chat.as_manager and not chat.can_answer
    assert "No agent has answered Vera on Support." in html
    assert ">Answer" not in html  # she does not answer on this channel; her colleagues do


def test_a_manager_gets_their_own_warning_after_the_channels_manager_time(support):
    """Present with Notifications, the manager first gets the agents' warning; at the manager's time it
    becomes their own, under a new key, so dismissing the first does not hide the second."""
    lena = make_agent("lena", channel=support, is_manager=True)
    session = waiting_chat(support, waited_seconds=0)

    as_agent = unanswered_alerts(fresh(lena), now=session.created_at + timedelta(seconds=61))
    as_manager = unanswered_alerts(fresh(lena), now=session.created_at + timedelta(seconds=121))

    assert [chat.as_manager for chat in as_agent.chats] == [False]
    assert as_agent.next_due_at == session.created_at + timedelta(seconds=120)
    assert [chat.as_manager for chat in as_manager.chats] == [True]
    assert as_manager.next_due_at is None
    ChatSession.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(seconds=121))
    html, _next = alerts_html(fresh(lena))
    assert "No agent has answered Vera on Support." in html
    assert f'data-alert-key="{session.pk}-' in html and '-manager"' in html


def test_a_manager_is_not_warned_before_the_channels_manager_time(support, alice):
    maria = away_manager(support)
    session = waiting_chat(support, waited_seconds=0)

    alerts = unanswered_alerts(fresh(maria), now=session.created_at + timedelta(seconds=119))

    assert alerts.chats == []
    assert alerts.next_due_at == session.created_at + timedelta(seconds=120)


def test_a_manager_is_not_warned_while_no_agent_of_the_channel_is_present(support):
    make_agent("amir", present=False, channel=support)
    maria = away_manager(support)
    waiting_chat(support, waited_seconds=3600)

    assert warned_about(maria) == []


def test_a_channel_set_to_0_never_warns_its_managers(support, alice):
    support.manager_alert_seconds = 0
    support.save(update_fields=["manager_alert_seconds"])
    maria = away_manager(support)
    waiting_chat(support, waited_seconds=3600)

    assert warned_about(maria) == []
    assert warned_about(alice) == ["Vera"]  # the agents' warning has its own setting


def test_a_manager_of_one_channel_is_not_warned_about_another(support):
    sales = ChannelFactory(slug="sales", unanswered_alert_seconds=60, manager_alert_seconds=120)
    make_agent("sam", channel=sales)
    make_agent("alice", channel=support)
    boss = make_agent("boss", present=False, channel=sales, is_manager=True)
    waiting_chat(support, waited_seconds=130, visitor_name="Vera")
    waiting_chat(sales, waited_seconds=130, visitor_name="Sid")

    assert warned_about(boss) == ["Sid"]


def test_the_dashboard_shows_a_due_warning_with_a_button_to_answer(support, alice):
    waiting_chat(support, waited_seconds=120)
    agent = Client()
    agent.force_login(alice)

    page = agent.get("/").text

    alerts = page.split('id="alerts"')[1]
    assert 'role="alert"' in alerts
    assert "Vera is waiting for an answer." in alerts
    assert "Answer<span" in alerts and "Dismiss" in alerts


# --- Live on the Dashboard -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_warning_pops_up_without_a_reload_once_the_chat_has_waited_too_long(support, alice):
    support.unanswered_alert_seconds = 1
    await database_sync_to_async(support.save)()
    dashboard = await socket("/ws/workspace/", alice)
    first = await frame_with(dashboard, 'id="alerts"')
    assert 'role="alert"' not in first

    await database_sync_to_async(session_start)(channel=support, visitor_name="Vera")

    popped = await frame_with(dashboard, 'role="alert"')
    assert "Vera is waiting for an answer." in popped
    await dashboard.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_warning_goes_away_when_someone_answers_the_chat(support, alice):
    bob = await database_sync_to_async(make_agent)("bob", channel=support)
    session = await database_sync_to_async(waiting_chat)(support, 120)
    dashboard = await socket("/ws/workspace/", alice)
    assert "Vera is waiting for an answer." in await frame_with(dashboard, 'id="alerts"')

    await database_sync_to_async(session_answer)(session=session, agent=await database_sync_to_async(fresh)(bob))

    cleared = await frame_with(dashboard, 'id="alerts"')
    assert 'role="alert"' not in cleared
    await dashboard.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_away_agent_gets_no_warning_and_going_away_takes_it_down(support, alice):
    amir = await database_sync_to_async(make_agent)("amir", present=False, channel=support)
    await database_sync_to_async(waiting_chat)(support, 120)
    away_dashboard = await socket("/ws/workspace/", amir)
    present_dashboard = await socket("/ws/workspace/", alice)

    assert 'role="alert"' not in await frame_with(away_dashboard, 'id="alerts"')
    assert 'role="alert"' in await frame_with(present_dashboard, 'id="alerts"')

    await database_sync_to_async(presence_set)(user=alice, status="away")

    assert 'role="alert"' not in await frame_with(present_dashboard, 'id="alerts"')
    await away_dashboard.disconnect()
    await present_dashboard.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_managers_warning_pops_up_once_an_agent_of_the_channel_is_present(support):
    alice = await database_sync_to_async(make_agent)("alice", present=False, channel=support)
    maria = await database_sync_to_async(away_manager)(support)
    await database_sync_to_async(waiting_chat)(support, 130)
    dashboard = await socket("/ws/workspace/", maria)
    assert 'role="alert"' not in await frame_with(dashboard, 'id="alerts"')

    await database_sync_to_async(presence_set)(user=alice, status="present")

    popped = await frame_with(dashboard, 'role="alert"')
    assert "No agent has answered Vera on Support." in popped
    await dashboard.disconnect()
