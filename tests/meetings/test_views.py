"""The booker's pages and partials: who gets what, and what the visitor and the agents see."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from chat.models import Message
from meetings import invitations
from meetings.models import Meeting, WorkingCalendar
from meetings.services import booking
from tests.factories import active_chat, logged_in, make_agent
from tests.meetings import first_free, shown_calendar, with_working_hours

pytestmark = pytest.mark.django_db


def widget_url(name, shown):
    session = shown.session
    return reverse(name, args=[session.channel.slug, session.token, shown.pk])


def test_book_a_meeting_offers_the_agent_first_then_every_colleague_present_or_not(support, alice, carol):
    away_bob = make_agent("bob", present=False, channel=support)
    chat = active_chat(support, alice)

    page = logged_in(alice).get(reverse("meeting_book_form", args=[chat.pk]))

    assert page.status_code == 200
    options = re.findall(r'<option value="(\d+)"', page.content.decode())
    assert options[0] == str(alice.pk)
    assert set(options[1:]) == {str(away_bob.pk), str(carol.pk)}
    assert "Calendar of" in page.content.decode() and "Show calendar" in page.content.decode()


def test_show_calendar_puts_the_card_in_the_chat_and_only_its_owner_may(support, alice, bob):
    chat = active_chat(support, alice)
    url = reverse("meeting_show_calendar", args=[chat.pk])

    assert logged_in(bob).post(url, {"agent": bob.pk}).status_code == 403
    assert logged_in(alice).post(url, {"agent": "nobody"}).status_code == 404
    assert logged_in(alice).post(url, {"agent": bob.pk}).status_code == 200

    assert chat.messages.filter(event=Message.Event.CALENDAR_SHOWN).count() == 1


def test_transfer_to_lists_away_colleagues_apart_with_show_calendar(support, alice, carol):
    away_bob = make_agent("bob", present=False, channel=support)
    chat = active_chat(support, alice)

    html = logged_in(alice).get(reverse("meeting_away_colleagues", args=[chat.pk])).content.decode()

    assert f"{away_bob.first_name} {away_bob.last_name}" in html
    assert f'"agent": "{away_bob.pk}"' in html
    assert f"{carol.first_name} {carol.last_name}" not in html  # Present: she is in "Transfer to" itself


def test_the_widget_shows_the_free_times_in_the_visitors_zone_grouped_by_day(support, alice, bob):
    with_working_hours(bob, time_zone="Europe/Amsterdam")
    shown = shown_calendar(support, alice, bob)

    html = logged_in(alice).get(widget_url("widget_meeting_slots", shown), {"tz": "Asia/Tokyo"}).content.decode()

    first = first_free(bob, support).astimezone(ZoneInfo("Asia/Tokyo"))
    assert "Times in Asia/Tokyo." in html
    # In English, as the rest of the workspace writes a day and a time (helpdesk/formats/en).
    assert f'aria-label="{first:%A}, {first:%B} {first.day}, {first.hour % 12 or 12}:{first:%M %p}"' in html
    assert len(re.findall(r'class="meeting-day"', html)) == 14 + 1  # 9 to 17 in Amsterdam spans two dates in Tokyo


def test_another_chats_token_does_not_open_the_calendar(support, alice, bob):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob)
    other = active_chat(support, alice)

    answer = logged_in(alice).get(reverse("widget_meeting_slots", args=["support", other.token, shown.pk]))

    assert answer.status_code == 404


def test_choosing_a_time_asks_to_confirm_with_the_pre_chat_name_and_email(support, alice, bob):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob, visitor_name="Vera", visitor_email="vera@example.org")
    starts_at = first_free(bob, support)

    html = logged_in(alice).get(widget_url("widget_meeting_confirm", shown),
                                {"start": starts_at.isoformat(), "tz": "UTC"}).content.decode()

    assert "Confirm meeting" in html
    assert 'value="Vera"' in html and 'value="vera@example.org"' in html


def test_confirming_books_the_meeting_and_a_taken_time_shows_the_times_left(support, alice, bob):
    with_working_hours(bob)
    starts_at = first_free(bob, support)
    first, second = shown_calendar(support, alice, bob), shown_calendar(support, alice, bob)
    form = {"start": starts_at.isoformat(), "name": "Vera", "email": "vera@example.org", "tz": "Europe/Stockholm"}

    won = logged_in(alice).post(widget_url("widget_meeting_book", first), form)
    lost = logged_in(alice).post(widget_url("widget_meeting_book", second), {**form, "name": "Walter"})

    assert won.status_code == 200 and "Meeting booked" in won.content.decode()
    assert Meeting.objects.get().visitor_time_zone == "Europe/Stockholm"
    assert lost.status_code == 200
    assert "Someone else has just booked this time" in lost.content.decode() or "no longer free" in lost.content.decode()
    assert starts_at.isoformat() not in lost.content.decode()
    assert 'class="meeting-time"' in lost.content.decode()


def test_a_wrong_email_shows_the_form_again_as_filled_in(support, alice, bob):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob)
    form = {"start": first_free(bob, support).isoformat(), "name": "Vera", "email": "nope", "tz": "UTC"}

    html = logged_in(alice).post(widget_url("widget_meeting_book", shown), form).content.decode()

    assert "Enter a valid email address" in html and 'value="nope"' in html
    assert not Meeting.objects.exists()


def booked(support, alice, bob):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob)
    return booking.meeting_book(shown=shown, starts_at=first_free(bob, support), name="Vera",
                                email="vera@example.org", time_zone="UTC", site_url="http://testserver/")


def test_the_colleague_sees_the_meeting_under_meetings_with_the_chats_transcript(support, alice, bob):
    meeting = booked(support, alice, bob)
    dave = make_agent("dave", channel=support)

    html = logged_in(bob).get(reverse("meetings_upcoming")).content.decode()
    transcript = reverse("meeting_transcript", args=[meeting.pk])

    assert "Vera" in html and transcript in html
    assert "Vera" not in logged_in(dave).get(reverse("meetings_upcoming")).content.decode()
    assert logged_in(bob).get(transcript).status_code == 200
    assert logged_in(dave).get(transcript).status_code == 404


def test_the_cancel_link_shows_the_meeting_and_only_its_button_cancels(support, alice, bob):
    meeting = booked(support, alice, bob)
    url = reverse("meeting_cancel", args=[invitations.cancel_signature(meeting)])
    client = logged_in(alice).__class__()  # the visitor: no account, no session

    assert client.get(url).status_code == 200
    assert Meeting.objects.get().is_booked
    answer = client.post(url)

    assert "This meeting is cancelled." in answer.content.decode()
    assert not Meeting.objects.get().is_booked
    assert client.get(reverse("meeting_cancel", args=["made-up"])).status_code == 404


def periods_form(time_zone, *rows):
    data = {"time_zone": time_zone, "periods-TOTAL_FORMS": str(len(rows)), "periods-INITIAL_FORMS": "0",
            "periods-MIN_NUM_FORMS": "0", "periods-MAX_NUM_FORMS": "1000"}
    for index, (weekday, starts, ends) in enumerate(rows):
        data.update({f"periods-{index}-weekday": weekday, f"periods-{index}-starts": starts,
                     f"periods-{index}-ends": ends})
    return data


def test_an_agent_keeps_their_own_working_hours_and_their_calendar_follows(support, alice, bob):
    client = logged_in(bob)
    assert client.get(reverse("meeting_hours")).status_code == 200

    saved = client.post(reverse("meeting_hours"), periods_form("Europe/Stockholm", ("0", "08:00", "12:00"),
                                                               ("0", "13:00", "16:30")))

    assert saved.status_code == 200 and "Your working hours are saved." in saved.content.decode()
    calendar = bob.working_calendar
    assert calendar.time_zone == "Europe/Stockholm"
    assert [(p.weekday, f"{p.starts:%H:%M}", f"{p.ends:%H:%M}") for p in calendar.periods.all()] == [
        (0, "08:00", "12:00"), (0, "13:00", "16:30")]


def test_working_hours_that_end_before_they_start_are_refused_and_nothing_is_saved(support, bob):
    answer = logged_in(bob).post(reverse("meeting_hours"), periods_form("Europe/Stockholm", ("1", "12:00", "09:00")))

    assert answer.status_code == 400
    assert "The end must come after the start." in answer.content.decode()
    assert not WorkingCalendar.objects.filter(agent=bob).exists()


def test_confirming_counts_against_the_channels_message_limit(support, alice, bob):
    with_working_hours(bob)
    support.messages_per_minute = 1
    support.save(update_fields=["messages_per_minute"])
    shown = shown_calendar(support, alice, bob)
    form = {"start": "not a time", "name": "Vera", "email": "vera@example.org", "tz": "UTC"}
    client = logged_in(alice).__class__()

    assert client.post(widget_url("widget_meeting_book", shown), form).status_code == 200
    refused = client.post(widget_url("widget_meeting_book", shown), form)

    assert refused.status_code == 429 and refused.has_header("Retry-After")
