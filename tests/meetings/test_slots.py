"""Free times: working hours in the agent's time zone, minus booked meetings, from tomorrow for 14 days."""

from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest

from meetings.models import ChannelMeetings, Meeting, WorkingCalendar, WorkingPeriod
from meetings.services.slots import Period, agent_free_slots, free_slots, slots_by_day
from tests.factories import ChannelFactory, make_agent

UTC = dt_timezone.utc
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HALF_HOUR = timedelta(minutes=30)
WEEKDAYS_9_TO_17 = [Period(weekday, time(9), time(17)) for weekday in range(5)]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_working_day_of_eight_hours_has_sixteen_half_hour_slots_in_the_agents_zone():
    monday = date(2026, 12, 7)

    slots = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=[], length=HALF_HOUR, first_day=monday, days=1)

    assert len(slots) == 16
    assert slots[0] == utc(2026, 12, 7, 8, 0)  # 09:00 in Amsterdam, winter time (UTC+1)
    assert slots[-1] == utc(2026, 12, 7, 15, 30)  # the last one ends at 17:00 there


def test_weekends_and_days_without_hours_have_no_slots():
    saturday = date(2026, 12, 5)

    slots = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=[], length=HALF_HOUR, first_day=saturday, days=2)

    assert slots == []


def test_fourteen_days_of_weekday_hours_are_ten_working_days():
    slots = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=[], length=HALF_HOUR,
                       first_day=date(2026, 12, 3))

    assert len(slots) == 10 * 16


def test_a_booked_meeting_takes_every_slot_it_overlaps():
    monday = date(2026, 12, 7)
    busy = [(utc(2026, 12, 7, 8, 15), utc(2026, 12, 7, 9, 0))]  # 09:15-10:00 there: overlaps 09:00 and 09:30

    slots = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=busy, length=HALF_HOUR, first_day=monday, days=1)

    assert utc(2026, 12, 7, 8, 0) not in slots
    assert utc(2026, 12, 7, 8, 30) not in slots
    assert slots[0] == utc(2026, 12, 7, 9, 0)
    assert len(slots) == 14


def test_a_meeting_that_ends_when_a_slot_starts_does_not_take_it():
    monday = date(2026, 12, 7)
    busy = [(utc(2026, 12, 7, 7, 0), utc(2026, 12, 7, 8, 0))]  # 08:00-09:00 there, before the working day

    slots = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=busy, length=HALF_HOUR, first_day=monday, days=1)

    assert slots[0] == utc(2026, 12, 7, 8, 0)


def test_a_slot_must_end_within_its_period():
    monday = date(2026, 12, 7)
    periods = [Period(0, time(9), time(10, 15))]

    slots = free_slots(periods=periods, zone=AMSTERDAM, busy=[], length=timedelta(minutes=45), first_day=monday, days=1)

    assert slots == [utc(2026, 12, 7, 8, 0)]  # 09:00-09:45; 09:45-10:30 would run past 10:15


def test_overlapping_periods_offer_each_time_once():
    monday = date(2026, 12, 7)
    periods = [Period(0, time(9), time(11)), Period(0, time(10), time(12))]

    slots = free_slots(periods=periods, zone=AMSTERDAM, busy=[], length=timedelta(hours=1), first_day=monday, days=1)

    assert slots == [utc(2026, 12, 7, 8), utc(2026, 12, 7, 9), utc(2026, 12, 7, 10)]


def test_working_hours_follow_the_clock_across_the_summer_time_change():
    """The clocks go forward in the night to Sunday 29 March 2026: 09:00 on Monday is 07:00 UTC, on the Friday
    before 08:00 UTC."""
    friday, monday = date(2026, 3, 27), date(2026, 3, 30)

    before = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=[], length=HALF_HOUR, first_day=friday, days=1)
    after = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=[], length=HALF_HOUR, first_day=monday, days=1)

    assert before[0] == utc(2026, 3, 27, 8)
    assert after[0] == utc(2026, 3, 30, 7)
    assert len(before) == len(after) == 16


def test_a_night_period_on_the_day_the_clocks_go_forward_is_an_hour_shorter():
    sunday = date(2026, 3, 29)
    periods = [Period(6, time(0), time(4))]

    slots = free_slots(periods=periods, zone=AMSTERDAM, busy=[], length=timedelta(hours=1), first_day=sunday, days=1)

    # 00:00 CET is 23:00 UTC, 04:00 CEST is 02:00 UTC: three hours, and 02:00-03:00 local never happens.
    assert slots == [utc(2026, 3, 28, 23), utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)]
    assert [s.astimezone(AMSTERDAM).hour for s in slots] == [0, 1, 3]


def test_a_night_period_on_the_day_the_clocks_go_back_is_an_hour_longer():
    sunday = date(2026, 10, 25)
    periods = [Period(6, time(0), time(4))]

    slots = free_slots(periods=periods, zone=AMSTERDAM, busy=[], length=timedelta(hours=1), first_day=sunday, days=1)

    assert len(slots) == 5  # 02:00-03:00 happens twice
    assert slots[0] == utc(2026, 10, 24, 22) and slots[-1] == utc(2026, 10, 25, 2)


def test_the_visitors_zone_groups_the_slots_by_their_own_date():
    """09:00-17:00 in Amsterdam on a Monday starts on Monday in Tokyo's evening and ends on Tuesday there."""
    monday = date(2026, 12, 7)
    slots = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=[], length=HALF_HOUR, first_day=monday, days=1)

    days = slots_by_day(slots, ZoneInfo("Asia/Tokyo"))

    assert [day for day, _slots in days] == [date(2026, 12, 7), date(2026, 12, 8)]
    assert days[0][1][0].hour == 17  # 09:00 in Amsterdam is 17:00 in Tokyo
    assert sum(len(day_slots) for _day, day_slots in days) == 16


def test_times_already_past_are_not_offered():
    monday = date(2026, 12, 7)

    slots = free_slots(periods=WEEKDAYS_9_TO_17, zone=AMSTERDAM, busy=[], length=HALF_HOUR, first_day=monday, days=1,
                       not_before=utc(2026, 12, 7, 12))

    assert slots[0] == utc(2026, 12, 7, 12)


@pytest.mark.django_db
def test_an_agents_free_times_start_tomorrow_in_their_zone_and_leave_out_their_meetings():
    channel = ChannelFactory(slug="support")
    ChannelMeetings.objects.create(channel=channel, meeting_minutes=60)
    bob = make_agent("bob", channel=channel)
    calendar = WorkingCalendar.objects.create(agent=bob, time_zone="America/New_York")
    WorkingPeriod.objects.create(calendar=calendar, weekday=0, starts=time(9), ends=time(12))
    # Sunday 6 December, 23:30 in New York is already Monday in UTC: "tomorrow" is the agent's Monday 7th.
    now = utc(2026, 12, 7, 4, 30)
    Meeting.objects.create(channel=channel, agent=bob, visitor_name="Vera", visitor_email="vera@example.org",
                           starts_at=utc(2026, 12, 7, 15), ends_at=utc(2026, 12, 7, 16))
    Meeting.objects.create(channel=channel, agent=bob, visitor_name="Old", visitor_email="old@example.org",
                           starts_at=utc(2026, 12, 7, 16), ends_at=utc(2026, 12, 7, 17),
                           status=Meeting.Status.CANCELLED)

    slots = agent_free_slots(bob, channel, now=now)

    # 09:00, 10:00 and 11:00 in New York (UTC-5), 10:00 booked; the cancelled meeting frees 11:00 again.
    assert slots[:2] == [utc(2026, 12, 7, 14), utc(2026, 12, 7, 16)]
    # The next Monday is free all morning; the one after is past the 14 days (the 7th to the 20th).
    assert slots[2:] == [utc(2026, 12, 14, 14), utc(2026, 12, 14, 15), utc(2026, 12, 14, 16)]


@pytest.mark.django_db
def test_an_agent_without_working_hours_has_no_free_times():
    channel = ChannelFactory(slug="support")

    assert agent_free_slots(make_agent("bob", channel=channel), channel) == []
