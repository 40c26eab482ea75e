"""Helpers for the meeting booker's tests: an agent with working hours, and a calendar shown in a chat."""

from datetime import time

from meetings.models import CalendarShown, WorkingCalendar, WorkingPeriod
from meetings.services.slots import agent_free_slots
from tests.factories import active_chat


def with_working_hours(agent, time_zone="Europe/Amsterdam", starts=time(9), ends=time(17)):
    """Every day of the week, so that tomorrow always has free times whatever day the test runs."""
    calendar = WorkingCalendar.objects.create(agent=agent, time_zone=time_zone)
    for weekday in range(7):
        WorkingPeriod.objects.create(calendar=calendar, weekday=weekday, starts=starts, ends=ends)
    return agent


def shown_calendar(channel, owner, agent, **chat_fields) -> CalendarShown:
    """A chat of `owner` in which `agent`'s calendar is shown."""
    chat = active_chat(channel, owner, **chat_fields)
    return CalendarShown.objects.create(session=chat, agent=agent, shown_by=owner)


def first_free(agent, channel):
    return agent_free_slots(agent, channel)[0]
