"""Free times: an agent's working hours minus their booked meetings, from tomorrow for two weeks.

Working hours are wall-clock times in the agent's own time zone ("09:00-17:00 in Amsterdam"), so each day
is turned into instants on its own: on a day the clocks change, a period that spans the change is an hour
shorter or longer, and a time that does not exist that day is not offered. Everything else works on UTC
instants, which is what the visitor's browser converts to their own time zone.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.utils import timezone

from meetings.models import DEFAULT_MEETING_MINUTES, ChannelMeetings, Meeting, WorkingCalendar

BOOKING_DAYS = 14


@dataclass(frozen=True)
class Period:
    """Working time on one weekday (0 = Monday), wall-clock in the agent's time zone."""

    weekday: int
    starts: time
    ends: time


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a day. A time the clocks skip (02:30 when they jump from 02:00
    to 03:00) is read with the offset before the jump, so it lands as far past the jump (03:30), as a wall
    clock moved on by hand would; a time that happens twice (when they go back) is its first occurrence."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(dt_timezone.utc)


def free_slots(*, periods, zone: ZoneInfo, busy, length: timedelta, first_day: date, days: int = BOOKING_DAYS,
               not_before: datetime | None = None) -> list[datetime]:
    """The start instants (UTC) of every free slot of `length` on `days` days from `first_day` (the agent's
    dates). `busy` is a list of (start, end) instants taken already: a slot overlapping any is not free.
    Slots step by `length` from the start of each period and must end within it."""
    by_weekday = {}
    for period in periods:
        by_weekday.setdefault(period.weekday, []).append(period)
    busy = sorted(busy)
    slots = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for period in sorted(by_weekday.get(day.weekday(), []), key=lambda p: p.starts):
            start = local_instant(day, period.starts, zone)
            end = local_instant(day, period.ends, zone)
            while start + length <= end:
                slot_end = start + length
                free = not any(taken_start < slot_end and taken_end > start for taken_start, taken_end in busy)
                if free and (not_before is None or start >= not_before) and (not slots or start > slots[-1]):
                    slots.append(start)
                start = slot_end
    return slots


def meeting_length(channel) -> timedelta:
    minutes = (
        ChannelMeetings.objects.filter(channel=channel).values_list("meeting_minutes", flat=True).first()
        or DEFAULT_MEETING_MINUTES
    )
    return timedelta(minutes=minutes)


def agent_free_slots(agent, channel, now=None) -> list[datetime]:
    """The free times of `agent` for a meeting from a chat of `channel`, from tomorrow in the agent's time
    zone: two queries, the working hours and the meetings in the window."""
    calendar = WorkingCalendar.objects.filter(agent=agent).prefetch_related("periods").first()
    if calendar is None:
        return []
    zone = calendar.zone
    now = now or timezone.now()
    first_day = now.astimezone(zone).date() + timedelta(days=1)
    window_start = local_instant(first_day, time(0), zone)
    window_end = local_instant(first_day + timedelta(days=BOOKING_DAYS), time(0), zone)
    busy = list(
        Meeting.objects.booked().filter(agent=agent).overlapping(window_start, window_end)
        .values_list("starts_at", "ends_at")
    )
    periods = [Period(p.weekday, p.starts, p.ends) for p in calendar.periods.all()]
    return free_slots(periods=periods, zone=zone, busy=busy, length=meeting_length(channel), first_day=first_day,
                      not_before=now)


def slots_by_day(slots, zone: ZoneInfo) -> list[tuple[date, list[datetime]]]:
    """The slots in the visitor's time zone, grouped by their local date, in order."""
    days = {}
    for slot in slots:
        local = slot.astimezone(zone)
        days.setdefault(local.date(), []).append(local)
    return sorted(days.items())
