"""What the workspace and chat panel sockets do by themselves for transfers and supervision: time out an
offer nobody answers, and record who listens in."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat.models import Listener
from tests.factories import make_agent
from tests.transfers import RECEIVE_TIMEOUT, active_chat, frame_with, offer, socket, support_channel
from transfers.models import Transfer

pytestmark = pytest.mark.django_db(transaction=True)


async def status_becomes(transfer, status):
    """Wait, within the test's bound, until the transfer has `status`; the time-out fires on a timer."""
    deadline = asyncio.get_running_loop().time() + RECEIVE_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        await database_sync_to_async(transfer.refresh_from_db)()
        if transfer.status == status:
            return True
        await asyncio.sleep(0.1)
    return False


@database_sync_to_async
def offer_about_to_time_out():
    """alice offers her chat to bob, who has no workspace open; the offer is due in a moment."""
    channel = support_channel(transfer_timeout_seconds=30)
    alice, bob = make_agent("alice", channel=channel), make_agent("bob", channel=channel)
    transfer = offer(active_chat(alice, channel), alice, bob)
    Transfer.objects.filter(pk=transfer.pk).update(expires_at=timezone.now() + timedelta(seconds=0.3))
    return alice, transfer


async def test_the_senders_workspace_times_out_an_offer_the_receiver_never_opened():
    alice, transfer = await offer_about_to_time_out()

    workspace = await socket("/ws/workspace/", alice)
    await frame_with(workspace, 'id="sessions-list"')

    assert await status_becomes(transfer, Transfer.Status.EXPIRED), "the offer stayed pending"
    await workspace.disconnect()


@database_sync_to_async
def chat_with_supervisor():
    """alice's chat, carol holding "Can listen in" on its channel."""
    channel = support_channel()
    alice = make_agent("alice", channel=channel)
    carol = make_agent("carol", channel=channel, can_listen_in=True)
    return active_chat(alice, channel), alice, carol


@database_sync_to_async
def listen_in_records(chat):
    visits = Listener.objects.filter(session=chat, reason=Listener.Reason.SUPERVISOR)
    return list(visits.values_list("agent__username", flat=True))


async def test_opening_the_panel_socket_as_a_supervisor_records_one_listening_in_visit():
    """Even without the panel page: the socket is what watches the chat, so it is what leaves the record."""
    chat, alice, carol = await chat_with_supervisor()

    panel = await socket(f"/ws/chats/{chat.pk}/", carol)
    await frame_with(panel, f'id="transcript-{chat.pk}"')

    assert await listen_in_records(chat) == ["carol"]
    await panel.disconnect()


async def test_the_owners_panel_socket_records_no_listening_in():
    chat, alice, _carol = await chat_with_supervisor()

    panel = await socket(f"/ws/chats/{chat.pk}/", alice)
    await frame_with(panel, f'id="transcript-{chat.pk}"')

    assert await listen_in_records(chat) == []
    await panel.disconnect()


async def test_a_chat_handed_over_without_acceptance_opens_on_the_new_owners_workspace():
    """As an offer does: on such a channel the hand-over is the first the new owner hears of the chat."""

    @database_sync_to_async
    def team():
        channel = support_channel(transfers_need_acceptance=False)
        alice, bob = make_agent("alice", channel=channel), make_agent("bob", channel=channel)
        return active_chat(alice, channel), alice, bob

    chat, alice, bob = await team()
    workspace = await socket("/ws/workspace/", bob)
    await frame_with(workspace, 'id="sessions-list"')

    await database_sync_to_async(offer)(chat, alice, bob)

    opener = await frame_with(workspace, 'id="panel-opener"')
    assert f'hx-get="/chats/{chat.pk}/"' in opener
    await workspace.disconnect()


async def test_a_supervisors_visit_ends_when_their_panel_socket_closes():
    """Opening another chat or closing the tab ends the listen-in visit: its row gets its end time."""
    chat, alice, carol = await chat_with_supervisor()
    panel = await socket(f"/ws/chats/{chat.pk}/", carol)
    await frame_with(panel, f'id="transcript-{chat.pk}"')
    assert await database_sync_to_async(open_visits)(chat) == 1

    await panel.disconnect()

    assert await database_sync_to_async(open_visits)(chat) == 0
    assert await listen_in_records(chat) == ["carol"], "the visit stays on record"


def open_visits(chat):
    return Listener.objects.filter(session=chat, reason=Listener.Reason.SUPERVISOR, closed_at__isnull=True).count()
