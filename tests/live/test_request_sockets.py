"""The assignee is told live: a request assigned to an agent shows at once in their open workspace (the
Requests tab's count and its entry), and nobody else's workspace re-renders anything for it."""

import asyncio
import re

import pytest
from channels.db import database_sync_to_async

from helpdesk.models import Request
from helpdesk.services.requests import request_assign, request_set_status
from tests.live.test_consumers import FRAME_WAIT, frame_with, socket

pytestmark = pytest.mark.django_db(transaction=True)


def requests_badge(html):
    match = re.search(r'<span id="requests-badge"[^>]*>(\d+)</span>', html)
    return int(match.group(1)) if match else None


async def connected_workspace(user):
    communicator = await socket("/ws/workspace/", user)
    connected, _ = await communicator.connect(timeout=FRAME_WAIT)
    assert connected
    assert requests_badge(await frame_with(communicator, 'id="requests-badge"')) == 0
    await asyncio.sleep(0.2)
    while not await communicator.receive_nothing(timeout=0.2):
        await communicator.receive_from()  # the rest of the first state
    return communicator


async def test_the_assignee_sees_the_request_at_once_and_a_colleague_gets_nothing(support, alice, bob):
    work_request = await database_sync_to_async(Request.objects.create)(
        source=Request.Source.OFFLINE_FORM, channel=support, name="Vera", email="vera@example.org",
        title="Where is my parcel?", body="Where is my parcel?",
    )
    alices, bobs = await connected_workspace(alice), await connected_workspace(bob)

    await database_sync_to_async(request_assign)(request=work_request, by=bob, assignee_id=alice.pk)

    pushed = await frame_with(alices, 'id="requests-badge"')
    assert requests_badge(pushed) == 1
    assert 'id="assigned-requests"' in pushed and f"#{work_request.pk} Where is my parcel?" in pushed
    assert 'id="sessions-list"' not in pushed  # only the Requests part is re-rendered
    # bob's Dashboard shows the new assignee in Offline messages, and nothing of alice's own lists.
    bobs_frame = await frame_with(bobs, 'id="offline-requests"')
    assert 'id="requests-badge"' not in bobs_frame

    await database_sync_to_async(request_set_status)(request=work_request, by=bob, status="closed")

    assert requests_badge(await frame_with(alices, 'id="requests-badge"')) == 0
    await alices.disconnect()
    await bobs.disconnect()
