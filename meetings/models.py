"""Working hours, meeting lengths, calendars shown in chats and the meetings booked from them.

The invariant that matters most, one meeting per agent and start time, is a database constraint: two
visitors confirming the same time at once cannot both win, whatever path their requests take.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.templatetags.people import person

DEFAULT_MEETING_MINUTES = 30


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone such as Europe/Amsterdam."))


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class WorkingCalendar(models.Model):
    """An agent's time zone; their working hours are its periods. An agent without one takes no meetings."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_calendar", verbose_name=_("agent"),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self):
        return person(self.agent)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class WorkingPeriod(models.Model):
    """One weekday's working time, in the calendar's own time zone; a day may have several (a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.CASCADE, related_name="periods", verbose_name=_("working hours"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="working_period_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self):
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError(_("The end must come after the start."))


class ChannelMeetings(models.Model):
    """How long a meeting booked from a chat of this channel lasts; without a row, 30 minutes."""

    channel = models.OneToOneField(
        "chat.Channel", on_delete=models.CASCADE, related_name="meeting_settings", verbose_name=_("channel"),
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"), default=DEFAULT_MEETING_MINUTES,
        help_text=_("Meetings booked from this channel's chats last this long; free times are offered in these steps."),
    )

    class Meta:
        verbose_name = _("meeting length")
        verbose_name_plural = _("meeting lengths")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_minutes__gte=5, meeting_minutes__lte=480), name="meeting_minutes_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.channel}: {self.meeting_minutes}"


class CalendarShown(models.Model):
    """An agent showed a colleague's (or their own) calendar in a chat: the visitor's card of free times."""

    session = models.ForeignKey(
        "chat.ChatSession", on_delete=models.CASCADE, related_name="calendars_shown", verbose_name=_("chat session"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("calendar of"),
    )
    shown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("shown by"),
    )
    created_at = models.DateTimeField(_("shown"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar shown")
        verbose_name_plural = _("calendars shown")
        indexes = [models.Index(fields=["agent", "session"])]


class MeetingQuerySet(models.QuerySet):
    def booked(self):
        return self.filter(status=Meeting.Status.BOOKED)

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Meeting(models.Model):
    """A visitor's meeting with an agent, booked from a chat. Cancelled ones stay, as the record."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("channel"),
    )
    session = models.ForeignKey(
        "chat.ChatSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings",
        verbose_name=_("chat session"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("agent"),
    )
    visitor_name = models.CharField(_("name"), max_length=100)
    visitor_email = models.EmailField(_("email"))
    visitor_time_zone = models.CharField(_("visitor's time zone"), max_length=64, default="UTC")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["agent", "status", "starts_at"])]
        constraints = [
            # Two visitors confirming the same time: exactly one insert succeeds.
            models.UniqueConstraint(
                fields=["agent", "starts_at"], condition=Q(status="booked"), name="one_meeting_per_agent_and_start",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.visitor_name} · {person(self.agent)} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_booked(self):
        return self.status == self.Status.BOOKED
