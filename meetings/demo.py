"""The demo team's working hours: Monday to Friday, 09:00-17:00, in the installation's time zone."""

from datetime import time

from django.conf import settings

from meetings.models import WorkingCalendar, WorkingPeriod

DEMO_HOURS = (time(9), time(17))


def create_demo_hours(agents) -> None:
    """Idempotent, like the rest of the demo: the same periods however often it runs."""
    for agent in agents:
        calendar, _created = WorkingCalendar.objects.get_or_create(agent=agent, defaults={"time_zone": settings.TIME_ZONE})
        starts, ends = DEMO_HOURS
        for weekday in range(5):
            WorkingPeriod.objects.update_or_create(calendar=calendar, weekday=weekday, defaults={"starts": starts, "ends": ends})
