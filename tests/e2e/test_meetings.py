"""The meeting booker in real browsers: bob is Away, so alice shows his calendar in her chat with Vera; Vera
books a time in her own time zone; alice, Vera and bob all see the meeting, live."""

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting
from meetings.services.slots import agent_free_slots
from tests.e2e.flows import (
    answer_next_in_queue,
    chat_panel,
    open_dashboard,
    open_transfer_form,
    panel_transcript,
    set_presence,
    start_visitor_chat,
    widget_status,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)

BOB = "Bob de Boer"


def test_alice_shows_bobs_calendar_the_visitor_books_and_all_three_see_the_meeting(demo_team, new_page, login):
    bob = login(new_page(), "bob")
    set_presence(bob, "Away")
    alice = login(new_page(), "alice")
    # The demo's working hours are 09:00-17:00 in the server's zone (UTC); the visitor reads them in Stockholm's.
    soonest = agent_free_slots(demo_team.bob, demo_team.channel)[0]
    there = soonest.astimezone(ZoneInfo("Europe/Stockholm"))
    soonest_there = f"{there.hour % 12 or 12}:{there:%M %p}"  # as English writes a time (helpdesk/formats/en)
    visitor = start_visitor_chat(new_page(timezone_id="Europe/Stockholm"), "Vera", "Can someone call me back?")
    answer_next_in_queue(alice, "Vera")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Alice.")

    # "Transfer to" has nobody Present to offer, and lists bob apart, as Away, with his calendar.
    transfer = open_transfer_form(alice)
    expect(transfer.locator(".away-list")).to_contain_text(BOB)
    expect(transfer.get_by_role("button", name=f"Show calendar of {BOB}")).to_be_visible()
    transfer.get_by_role("button", name="Cancel", exact=True).click()

    # The calendar option at the lower left of the composer: her own calendar first, then the team's.
    chat_panel(alice).get_by_role("button", name="Book a meeting").click()
    calendar_of = chat_panel(alice).get_by_label("Calendar of", exact=True)
    expect(calendar_of.locator("option").first).to_have_text("Alice Andersson")
    calendar_of.select_option(label=BOB)
    chat_panel(alice).get_by_role("button", name="Show calendar", exact=True).click()
    expect(panel_transcript(alice)).to_contain_text(f"Alice Andersson showed the calendar of {BOB}.")

    card = widget_transcript(visitor).get_by_role("region", name=f"Book a meeting with {BOB}")
    expect(card).to_contain_text("Times in Europe/Stockholm.")
    first_time = card.locator("button.meeting-time").first
    expect(first_time).to_have_text(soonest_there)
    expect(first_time).to_have_attribute("aria-label", re.compile(rf"^\w+day, \w+ \d+, {soonest_there}$"))
    first_time.click()
    expect(card.get_by_label("Name", exact=True)).to_have_value("Vera")
    expect(card.get_by_label("Email", exact=True)).to_have_value("vera@example.org")
    card.get_by_role("button", name="Confirm meeting").click()

    expect(card.get_by_role("status")).to_contain_text("Meeting booked")
    expect(widget_transcript(visitor)).to_contain_text(f"Meeting booked with {BOB}:")
    expect(widget_transcript(visitor)).to_contain_text(soonest_there)
    expect(panel_transcript(alice)).to_contain_text(f"Meeting booked with {BOB}:")
    expect(panel_transcript(alice)).to_contain_text("(Europe/Stockholm)")

    # bob's workspace lists it under Meetings without a reload, with the way back to the chat.
    open_dashboard(bob)
    meetings = bob.locator("#upcoming-meetings")
    expect(meetings).to_contain_text("Vera")
    expect(meetings.get_by_role("link", name="Transcript")).to_be_visible()
    meeting = Meeting.objects.get()
    assert (meeting.agent, meeting.visitor_time_zone) == (demo_team.bob, "Europe/Stockholm")
    assert meeting.starts_at == soonest
