"""The Reports' "Meetings booked": booked in the period on the manager's channels, cancelled ones left out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from meetings.models import Meeting
from tests.factories import ChannelFactory, logged_in, make_agent

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PERIOD = {"period": "custom", "date_from": "2026-01-05", "date_to": "2026-01-06", "tz": "Europe/Amsterdam"}


def booked_at(channel, agent, when, **fields):
    meeting = Meeting.objects.create(
        channel=channel, agent=agent, visitor_name="Vera", visitor_email="vera@example.org",
        starts_at=when + timedelta(days=3), ends_at=when + timedelta(days=3, minutes=30), **fields,
    )
    Meeting.objects.filter(pk=meeting.pk).update(created_at=when)
    return meeting


def test_meetings_booked_counts_the_periods_bookings_on_the_managers_channels(support, maria, alice, bob):
    sales = ChannelFactory(slug="sales")
    monday = datetime(2026, 1, 5, 10, tzinfo=AMSTERDAM)
    booked_at(support, alice, monday)
    booked_at(support, bob, monday + timedelta(hours=1))
    booked_at(support, bob, monday + timedelta(hours=2), status=Meeting.Status.CANCELLED)
    booked_at(support, bob, monday - timedelta(hours=11))  # Sunday 23:00 there: before the period
    booked_at(sales, make_agent("sven", channel=sales), monday)

    page = logged_in(maria).get(reverse("reports"), PERIOD)
    for_bob = logged_in(maria).get(reverse("reports"), {**PERIOD, "agent": bob.pk})

    assert page.context["report"].totals["meetings_booked"] == 2
    assert "Meetings booked" in page.content.decode()
    assert for_bob.context["report"].totals["meetings_booked"] == 1
