"""An agent's working hours, kept by the agent on their own page (managers keep anyone's in the admin)."""

from django.db import transaction

from meetings.models import WorkingCalendar


def working_calendar_of(agent) -> WorkingCalendar:
    """The agent's calendar, unsaved and in the installation's zone when they have none yet."""
    return WorkingCalendar.objects.filter(agent=agent).first() or WorkingCalendar(agent=agent)


@transaction.atomic
def working_hours_save(*, calendar_form, periods_formset) -> WorkingCalendar:
    """Both forms are valid: the time zone and the periods change together, or not at all."""
    calendar = calendar_form.save()
    periods_formset.instance = calendar
    periods_formset.save()
    return calendar
