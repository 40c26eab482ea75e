"""Through real sockets: an open workspace keeps its agent Present for everyone, and one closed without
a goodbye lets go of them for everyone once the grace period has passed."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from chat.services.sessions import channel_is_online
from helpdesk.models import AgentProfile
from tests.live.test_consumers import FRAME_WAIT, frame_with, socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def short_grace(settings, monkeypatch):
    settings.PRESENCE_GRACE_SECONDS = 1
    monkeypatch.setattr("live.sweeper.MAX_ROUND_SECONDS", 0.2)


def never_seen(user):
    AgentProfile.objects.filter(user=user).update(workspace_seen_at=None, shown_online=False)


async def test_opening_the_workspace_makes_a_present_agent_count_and_closing_it_lets_go(support, alice, bob):
    await database_sync_to_async(never_seen)(alice)
    alice_name = alice.get_full_name()
    watcher = await socket("/ws/workspace/", bob)
    await watcher.connect(timeout=FRAME_WAIT)
    assert alice_name not in await frame_with(watcher, 'id="present-agents"'), "Present, but never opened it"

    workspace = await socket("/ws/workspace/", alice)
    await workspace.connect(timeout=FRAME_WAIT)
    assert alice_name in await frame_with(watcher, 'id="present-agents"'), "her workspace opened"
    assert await database_sync_to_async(channel_is_online)(support)

    await workspace.disconnect()  # as a closed tab; a dead server would not even say this
    assert alice_name not in await frame_with(watcher, 'id="present-agents"'), "the grace period has passed"
    await watcher.disconnect()


async def test_an_open_workspace_keeps_its_agent_present_long_past_the_grace_period(support, alice, bob):
    """The process's sweeper renews the heartbeat of every workspace it holds, in one statement a round."""
    alice_name = alice.get_full_name()
    workspace = await socket("/ws/workspace/", alice)
    await workspace.connect(timeout=FRAME_WAIT)
    await frame_with(workspace, 'id="present-agents"')

    await asyncio.sleep(3)  # three grace periods

    assert await database_sync_to_async(channel_is_online)(support)
    watcher = await socket("/ws/workspace/", bob)
    await watcher.connect(timeout=FRAME_WAIT)
    assert alice_name in await frame_with(watcher, 'id="present-agents"')
    await watcher.disconnect()
    await workspace.disconnect()
