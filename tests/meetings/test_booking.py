"""Showing a calendar in a chat, booking a time from it, cancelling it; and two visitors on one time."""

import re
import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from icalendar import Calendar

from chat.models import ChatSession, Message
from helpdesk.errors import Conflict, Invalid, NotAllowed, ServiceError
from meetings import invitations
from meetings.lines import read_body
from meetings.models import CalendarShown, Meeting
from meetings.services import booking
from tests.factories import active_chat, make_agent
from tests.meetings import first_free, shown_calendar, with_working_hours

SITE = "http://testserver/"
THREAD_GUARD_SECONDS = 60  # only against a deadlock hanging the suite; no test measures time


def book(shown, starts_at, name="Vera", email="vera@example.org", time_zone="Europe/Stockholm"):
    return booking.meeting_book(shown=shown, starts_at=starts_at, name=name, email=email, time_zone=time_zone,
                                site_url=SITE)


@pytest.mark.django_db
def test_the_owner_shows_a_colleagues_calendar_as_a_line_of_the_transcript(support, alice, bob):
    chat = active_chat(support, alice)

    shown = booking.calendar_show(session=chat, agent=bob, by=alice)

    line = chat.messages.get(event=Message.Event.CALENDAR_SHOWN)
    assert line.author == alice
    assert read_body(line.body) == {"calendar": shown.pk, "agent": f"{bob.first_name} {bob.last_name}"}


@pytest.mark.django_db
def test_an_away_colleagues_calendar_can_be_shown_too(support, alice):
    away_bob = make_agent("bob", present=False, channel=support)

    shown = booking.calendar_show(session=active_chat(support, alice), agent=away_bob, by=alice)

    assert shown.agent == away_bob


@pytest.mark.django_db
def test_only_the_owner_or_a_manager_shows_a_calendar(support, alice, bob, maria):
    chat = active_chat(support, alice)

    with pytest.raises(NotAllowed):
        booking.calendar_show(session=chat, agent=bob, by=bob)
    assert booking.calendar_show(session=chat, agent=bob, by=maria).shown_by == maria


@pytest.mark.django_db
def test_a_calendar_of_someone_outside_the_channel_or_in_an_ended_chat_is_refused(support, alice):
    from tests.factories import ChannelFactory

    outsider = make_agent("sven", channel=ChannelFactory(slug="sales"))
    chat = active_chat(support, alice)
    with pytest.raises(Invalid):
        booking.calendar_show(session=chat, agent=outsider, by=alice)
    ChatSession.objects.filter(pk=chat.pk).update(status=ChatSession.Status.ENDED, end_reason="agent")
    with pytest.raises(Conflict):
        booking.calendar_show(session=chat, agent=alice, by=alice)
    assert not CalendarShown.objects.exists()


@pytest.mark.django_db
def test_booking_stores_the_meeting_says_so_in_the_chat_and_mails_both_an_invitation(
    support, alice, bob, django_capture_on_commit_callbacks
):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob, visitor_language="nl")
    starts_at = first_free(bob, support)

    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(shown, starts_at)

    assert (meeting.agent, meeting.session, meeting.visitor_name, meeting.starts_at) == (
        bob, shown.session, "Vera", starts_at)
    assert (meeting.ends_at - meeting.starts_at).total_seconds() == 30 * 60  # the channel's default
    line = shown.session.messages.get(event=Message.Event.MEETING_BOOKED)
    assert read_body(line.body)["starts"] == starts_at
    assert read_body(line.body)["time_zone"] == "Europe/Stockholm"
    to_visitor, to_bob = mail.outbox
    assert to_visitor.to == ["vera@example.org"] and to_bob.to == [bob.email]
    assert "Afspraak" in to_visitor.subject  # the visitor chatted in Dutch
    link = re.search(r"http://testserver/meetings/cancel/(\S+)/", to_visitor.body)
    assert invitations.meeting_from_signature(link.group(1)) == meeting
    assert "/meetings/cancel/" not in to_bob.body
    name, content, mimetype = to_visitor.attachments[0]
    assert name == "meeting.ics" and mimetype.startswith("text/calendar; method=REQUEST")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == starts_at
    assert str(event["attendee"]) == "mailto:vera@example.org"


@pytest.mark.django_db
def test_a_time_not_offered_is_refused(support, alice, bob):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob)
    odd_time = first_free(bob, support).replace(minute=7)

    with pytest.raises(booking.SlotTaken):
        book(shown, odd_time)
    assert not Meeting.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name, email", [("", "vera@example.org"), ("Vera", "not an address"), ("Vera", "")])
def test_a_name_and_a_valid_email_are_needed(support, alice, bob, name, email):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob)

    with pytest.raises(Invalid):
        book(shown, first_free(bob, support), name=name, email=email)
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_a_booked_time_is_no_longer_offered_and_a_second_visitor_is_told(support, alice, bob):
    with_working_hours(bob)
    starts_at = first_free(bob, support)
    book(shown_calendar(support, alice, bob), starts_at)

    with pytest.raises(booking.SlotTaken):
        book(shown_calendar(support, alice, bob), starts_at, name="Walter", email="walter@example.org")
    assert first_free(bob, support) != starts_at
    assert Meeting.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_meeting_at_the_same_time_even_past_the_check(support, alice, bob):
    """What the race below relies on where the calendar lock does not serialise: the constraint alone."""
    with_working_hours(bob)
    starts_at = first_free(bob, support)
    book(shown_calendar(support, alice, bob), starts_at)
    late = shown_calendar(support, alice, bob)

    with mock.patch("meetings.services.slots.agent_free_slots", return_value=[starts_at]):
        with pytest.raises(booking.SlotTaken):
            book(late, starts_at, name="Walter", email="walter@example.org")
    assert Meeting.objects.count() == 1
    assert not late.session.messages.filter(event=Message.Event.MEETING_BOOKED).exists()


@pytest.mark.django_db(transaction=True)
def test_two_visitors_confirming_the_same_time_at_once_exactly_one_wins(support, alice, bob):
    """Real threads, each with its own connection, released together. On PostgreSQL the calendar row lock
    (and under it the unique constraint) decides; on SQLite, IMMEDIATE transactions serialise the writers and
    the second one finds the time taken."""
    with_working_hours(bob)
    starts_at = first_free(bob, support)
    calendars = [shown_calendar(support, alice, bob), shown_calendar(support, alice, bob)]
    barrier = threading.Barrier(2, timeout=THREAD_GUARD_SECONDS)
    results = [None, None]

    def confirm(index):
        try:
            barrier.wait()
            book(calendars[index], starts_at, name=f"Visitor {index}", email=f"v{index}@example.org")
            results[index] = "booked"
        except booking.SlotTaken:
            results[index] = "taken"
        except ServiceError as error:
            results[index] = f"refused: {error.message}"
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = f"crashed: {error!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_GUARD_SECONDS)

    assert not any(thread.is_alive() for thread in threads), "a thread is stuck: deadlock?"
    assert sorted(results) == ["booked", "taken"], results
    assert Meeting.objects.filter(starts_at=starts_at).count() == 1
    assert Message.objects.filter(event=Message.Event.MEETING_BOOKED).count() == 1


@pytest.mark.django_db
def test_cancelling_frees_the_time_says_so_in_the_chat_and_mails_both(
    support, alice, bob, django_capture_on_commit_callbacks
):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob)
    starts_at = first_free(bob, support)
    meeting = book(shown, starts_at)

    with django_capture_on_commit_callbacks(execute=True):
        booking.meeting_cancel(meeting=meeting)
        booking.meeting_cancel(meeting=meeting)  # a second click changes nothing

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.cancelled_at is not None
    assert first_free(bob, support) == starts_at
    assert shown.session.messages.filter(event=Message.Event.MEETING_CANCELLED).count() == 1
    assert len(mail.outbox) == 2
    assert "method=CANCEL" in mail.outbox[0].attachments[0][2]


@pytest.mark.django_db
def test_a_cancel_link_names_its_meeting_and_cannot_be_made_up(support, alice, bob):
    with_working_hours(bob)
    meeting = book(shown_calendar(support, alice, bob), first_free(bob, support))
    signature = invitations.cancel_signature(meeting)

    assert invitations.meeting_from_signature(signature) == meeting
    assert invitations.meeting_from_signature(signature[:-2] + "xx") is None
    assert invitations.meeting_from_signature(str(meeting.pk)) is None


@pytest.mark.django_db
def test_confirming_twice_from_the_same_chat_books_once_and_answers_with_that_meeting(
    support, alice, bob, django_capture_on_commit_callbacks
):
    with_working_hours(bob)
    shown = shown_calendar(support, alice, bob)
    starts_at = first_free(bob, support)

    with django_capture_on_commit_callbacks(execute=True):
        first = book(shown, starts_at)
        again = book(shown, starts_at)

    assert again == first
    assert shown.session.messages.filter(event=Message.Event.MEETING_BOOKED).count() == 1
    assert len(mail.outbox) == 2  # one invitation each, not two
