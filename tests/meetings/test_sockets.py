"""The booker live: the calendar card reaches the visitor's widget as a line, and a booking makes every other
open card of that agent, and the agent's workspace, fetch their free times and meetings again."""

import pytest
from channels.db import database_sync_to_async

from meetings.services import booking
from tests.factories import active_chat
from tests.live.test_consumers import frame_with, socket
from tests.meetings import first_free, shown_calendar, with_working_hours

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_card_arrives_in_the_widget_and_a_booking_elsewhere_refreshes_it(support, alice, bob):
    await database_sync_to_async(with_working_hours)(bob)
    chat = await database_sync_to_async(active_chat)(support, alice)
    widget = await socket(f"/ws/widget/{chat.token}/?shown=active")
    assert (await widget.connect())[0]
    await frame_with(widget, 'id="widget-transcript"')
    workspace_of_bob = await socket("/ws/workspace/", bob)
    assert (await workspace_of_bob.connect())[0]
    await frame_with(workspace_of_bob, 'id="sessions-list"')

    shown = await database_sync_to_async(booking.calendar_show)(session=chat, agent=bob, by=alice)
    card = await frame_with(widget, "Book a meeting with")
    assert f'id="meeting-slots-{shown.pk}"' in card and "data-visitor-time-zone" in card

    other = await database_sync_to_async(shown_calendar)(support, alice, bob)
    starts_at = await database_sync_to_async(first_free)(bob, support)
    await database_sync_to_async(booking.meeting_book)(
        shown=other, starts_at=starts_at, name="Walter", email="walter@example.org", time_zone="UTC",
        site_url="http://testserver/",
    )

    assert "data-meetings-refetch" in await frame_with(widget, "meetings-refetch")
    assert "data-meetings-refetch" in await frame_with(workspace_of_bob, "meetings-refetch")
    await widget.disconnect()
    await workspace_of_bob.disconnect()
