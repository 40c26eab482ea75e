"""Reads of the meeting booker, each in a fixed number of queries."""

from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting, WorkingCalendar

UPCOMING_LIMIT = 50


def upcoming_meetings(agent, now=None):
    """The agent's booked meetings that have not ended yet, soonest first, with their chat."""
    return (
        Meeting.objects.booked().filter(agent=agent, ends_at__gt=now or timezone.now())
        .select_related("session", "channel").order_by("starts_at")[:UPCOMING_LIMIT]
    )


def agent_time_zone(agent) -> str:
    """The zone the agent's working hours are in, which their own lists show times in."""
    return WorkingCalendar.objects.filter(agent=agent).values_list("time_zone", flat=True).first() or settings.TIME_ZONE
