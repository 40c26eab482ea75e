"""The widget's socket keeps its visitor's heartbeat, and the agents' screens show "Visitor left" live when it
has been gone for the grace period, and no longer once the visitor is back; the process's own sweeper does
it, with no cron and no command.

PRESENCE_GRACE_SECONDS is set to one second here, so the sweeper renews and sweeps every third of one.
"""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat.models import ChatSession
from live import sweeper
from tests.factories import active_chat
from tests.live.test_consumers import FRAME_WAIT, frame_with, socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def short_grace(settings):
    settings.PRESENCE_GRACE_SECONDS = 1


@database_sync_to_async
def seen_long_ago(session):
    ChatSession.objects.filter(pk=session.pk).update(visitor_seen_at=timezone.now() - timedelta(minutes=5))


@database_sync_to_async
def visitor_seen_at(session):
    return ChatSession.objects.values_list("visitor_seen_at", flat=True).get(pk=session.pk)


async def seen_again(session, since):
    """Whether the heartbeat is renewed after `since` within the test's bound."""
    deadline = asyncio.get_running_loop().time() + FRAME_WAIT
    while asyncio.get_running_loop().time() < deadline:
        if await visitor_seen_at(session) > since:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_the_widget_socket_renews_its_visitors_heartbeat_on_connect_and_while_it_is_open(support, alice):
    session = await database_sync_to_async(active_chat)(support, alice)
    await seen_long_ago(session)

    widget = await socket(f"/ws/widget/{session.token}/")
    await widget.connect(timeout=FRAME_WAIT)
    await frame_with(widget, 'id="widget-status"')
    assert await visitor_seen_at(session) > timezone.now() - timedelta(seconds=5), "connecting counts as seen"

    await seen_long_ago(session)
    assert await seen_again(session, timezone.now() - timedelta(minutes=1)), "the open socket's heartbeat stopped"
    await widget.disconnect()


async def test_the_sweeper_stops_with_the_last_socket_of_its_process(support, alice):
    session = await database_sync_to_async(active_chat)(support, alice)
    widget = await socket(f"/ws/widget/{session.token}/")
    await widget.connect(timeout=FRAME_WAIT)
    await frame_with(widget, 'id="widget-status"')
    running = sweeper._by_loop[asyncio.get_running_loop()].task

    await widget.disconnect()
    await asyncio.sleep(0)

    assert running.cancelled() or running.done()


async def test_visitor_left_appears_live_for_the_agent_and_goes_when_the_visitor_comes_back(support, alice):
    session = await database_sync_to_async(active_chat)(support, alice)
    await seen_long_ago(session)
    workspace = await socket("/ws/workspace/", alice)
    await workspace.connect(timeout=FRAME_WAIT)
    panel = await socket(f"/ws/chats/{session.pk}/", alice)
    await panel.connect(timeout=FRAME_WAIT)

    header = await frame_with(panel, "Visitor left")
    assert f'id="panel-header-{session.pk}"' in header
    entry = await frame_with(workspace, "Visitor left")
    assert f'id="session-entry-{session.pk}"' in entry

    widget = await socket(f"/ws/widget/{session.token}/")
    await widget.connect(timeout=FRAME_WAIT)

    header = await frame_with(panel, f'id="panel-header-{session.pk}"')
    assert "Visitor left" not in header
    entries = await frame_with(workspace, f'id="session-entry-{session.pk}"')
    assert "Visitor left" not in entries
    for communicator in (widget, panel, workspace):
        await communicator.disconnect()
