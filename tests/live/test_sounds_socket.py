"""An agent's "Sounds" switch is part of their own live fragments: turned off in one workspace, it shows
off in every other workspace they have open (each decides by it whether to chime)."""

import pytest
from channels.db import database_sync_to_async

from tests.factories import logged_in
from tests.transfers import frame_with, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_turning_sounds_off_reaches_the_agents_other_workspace(alice):
    workspace = await socket("/ws/workspace/", alice)
    await frame_with(workspace, 'id="sounds-toggle"', 'data-sounds="on"')

    client = await database_sync_to_async(logged_in)(alice)
    response = await database_sync_to_async(client.post)("/sounds/", {"sounds": "off"})

    assert response.status_code == 200
    await frame_with(workspace, 'id="sounds-toggle"', 'data-sounds="off"')
    await workspace.disconnect()
