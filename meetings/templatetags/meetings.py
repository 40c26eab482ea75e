"""Reading the meeting booker's transcript lines in templates (meetings/lines.py)."""

from django import template

from meetings.lines import MEETING_EVENTS, read_body

register = template.Library()


@register.filter
def meeting_facts(body):
    return read_body(body)


@register.filter
def is_meeting_line(message):
    return message.event in MEETING_EVENTS
