"""Times in the viewer's language where Django's locale formats have no name for them, derived from the
language's TIME_FORMAT ("g:i A" in English, "H:i" in Dutch and Swedish), so they read like every other time
on the screen: to the second (a transfer's history), an hour of the day (the Reports' rows), and a meeting's
day and time, with its weekday (the booker's cards, lines and e-mails)."""

import datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.utils.formats import get_format

register = template.Library()


@register.filter(expects_localtime=True)
def time_with_seconds(value):
    minutes = get_format("TIME_FORMAT")
    return time_filter(value, minutes if "s" in minutes else minutes.replace("i", "i:s", 1))


@register.filter
def hour_of_day(hour: int) -> str:
    """0..23 as the hour's time: "8:00 AM", "08:00"."""
    return time_filter(datetime.time(int(hour)), get_format("TIME_FORMAT"))


@register.filter(expects_localtime=True)
def weekday_and_day(value):
    """"Monday, December 7" / "maandag, 7 december": a day of the meeting booker's calendar."""
    return f"{date_filter(value, 'l')}, {date_filter(value, 'MONTH_DAY_FORMAT')}"


@register.filter(expects_localtime=True)
def weekday_and_time(value):
    """"Monday, December 7, 2026, 9:00 AM" / "maandag, 7 december 2026, 09:00": when a meeting starts."""
    return f"{date_filter(value, 'l')}, {date_filter(value, 'DATE_FORMAT')}, {time_filter(value, get_format('TIME_FORMAT'))}"
