"""The Reports' filters: period, channel, agent, and the viewer's time zone."""

import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.queries import Scope

LONGEST_PERIOD_DAYS = 366


def _zone_or_default(name):
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ReportFilterForm(forms.Form):
    """Bound to request.GET. The time zone is the browser's (static/reports/reports.js fills the hidden
    field): the project keeps no time zone per person, and settings.TIME_ZONE is the fallback."""

    PERIODS = [("today", _("Today")), ("7d", _("Last 7 days")), ("30d", _("Last 30 days")), ("custom", _("Custom"))]

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="7d", required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.TypedChoiceField(label=_("Channel"), coerce=int, required=False, empty_value=None)
    agent = forms.TypedChoiceField(label=_("Agent"), coerce=int, required=False, empty_value=None)
    tz = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-report-tz": ""}))

    def __init__(self, data, *, channels, agents):
        super().__init__(data)
        self.managed_channels = channels
        self.fields["channel"].choices = [("", _("All my channels"))] + [(c.pk, c.name) for c in channels]
        self.fields["agent"].choices = [("", _("All agents"))] + [
            (user.pk, user.get_full_name() or user.get_username()) for user in agents
        ]

    def clean_tz(self):
        name = self.cleaned_data.get("tz") or ""
        return name if _zone_or_default(name) else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == "custom":
            first, last = cleaned.get("date_from"), cleaned.get("date_to")
            if not first or not last:
                raise forms.ValidationError(_("Choose both dates of a custom period."))
            if first > last:
                raise forms.ValidationError(_("The period cannot end before it starts."))
            if (last - first).days >= LONGEST_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most a year."))
        return cleaned

    def scope(self) -> Scope:
        """The scope the filters name; the defaults (last 7 days, every managed channel) when they do not hold."""
        valid = self.is_valid()
        cleaned = self.cleaned_data if valid else {}
        tz = _zone_or_default(cleaned.get("tz")) or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        today = timezone.now().astimezone(tz).date()
        period = cleaned.get("period") or "7d"
        if period == "custom":
            first, last = cleaned["date_from"], cleaned["date_to"]
        else:
            first, last = today - timedelta(days={"today": 0, "7d": 6, "30d": 29}[period]), today
        channel_ids = tuple(c.pk for c in self.managed_channels)
        if cleaned.get("channel"):
            channel_ids = (cleaned["channel"],)
        return Scope(channel_ids=channel_ids, first_day=first, last_day=last, tz=tz, agent_id=cleaned.get("agent"))


def agents_of(channel_ids):
    """The people on these channels' teams, for the agent filter."""
    return (
        get_user_model().objects.filter(channel_memberships__channel_id__in=channel_ids)
        .distinct().order_by("first_name", "last_name", "username")
    )
