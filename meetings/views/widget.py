"""The visitor's side: a calendar card's free times in their own time zone (the browser sends it), "Confirm
meeting", and the booking. Named by the chat's token, as every widget request (chat/views/widget.py)."""

import zoneinfo

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chat import selectors as chat_selectors
from chat import throttles
from chat.views.widget import widget_view
from helpdesk.errors import NotFound, ServiceError
from helpdesk.http import refused
from meetings.models import CalendarShown
from meetings.services import booking, slots


def _shown(slug, token, calendar_id) -> CalendarShown:
    session = chat_selectors.visitor_session(token=token, slug=slug)
    shown = CalendarShown.objects.select_related("agent", "session__channel").filter(
        pk=calendar_id, session=session
    ).first()
    if shown is None:
        raise NotFound(_("No such calendar."))
    return shown


def visitor_zone(request) -> str:
    """The time zone the widget's browser reported (static/meetings/meetings.js); UTC if it sent none we know."""
    name = request.POST.get("tz") or request.GET.get("tz") or ""
    return name if name in zoneinfo.available_timezones() else "UTC"


def _slots_page(request, shown, *, error=""):
    zone_name = visitor_zone(request)
    free = slots.agent_free_slots(shown.agent, shown.session.channel)
    return render(request, "meetings/widget/slots.html", {
        "shown": shown, "session": shown.session, "zone_name": zone_name,
        "days": slots.slots_by_day(free, zoneinfo.ZoneInfo(zone_name)), "error": error,
    })


@widget_view
@require_GET
def calendar_slots(request, slug, token, calendar_id):
    return _slots_page(request, _shown(slug, token, calendar_id))


def _confirm_page(request, shown, *, starts, start_value, values, error=""):
    zone_name = visitor_zone(request)
    return render(request, "meetings/widget/confirm.html", {
        "shown": shown, "session": shown.session, "zone_name": zone_name,
        "starts": starts.astimezone(zoneinfo.ZoneInfo(zone_name)), "start_value": start_value, "values": values,
        "error": error,
    })


@widget_view
@require_GET
def confirm_form(request, slug, token, calendar_id):
    shown = _shown(slug, token, calendar_id)
    try:
        starts_at = booking.parse_start(request.GET.get("start", ""))
    except ServiceError as error:
        return _slots_page(request, shown, error=error.message)
    values = {"name": shown.session.visitor_name, "email": shown.session.visitor_email}
    return _confirm_page(request, shown, starts=starts_at, start_value=starts_at.isoformat(), values=values)


@widget_view
@require_POST
def book(request, slug, token, calendar_id):
    """A time that was taken meanwhile answers with the times still free, and says so; a wrong name or
    e-mail answers with the form again, as the visitor filled it in. Counted as a message by the throttle."""
    shown = _shown(slug, token, calendar_id)
    try:
        throttles.check(request, throttles.MESSAGES, shown.session.channel, token)
    except ServiceError as error:
        return refused(error)
    try:
        starts_at = booking.parse_start(request.POST.get("start", ""))
    except ServiceError as error:
        return _slots_page(request, shown, error=error.message)
    zone_name = visitor_zone(request)
    try:
        meeting = booking.meeting_book(
            shown=shown, starts_at=starts_at, name=request.POST.get("name", ""),
            email=request.POST.get("email", ""), time_zone=zone_name, site_url=request.build_absolute_uri("/"),
        )
    except booking.SlotTaken as error:
        return _slots_page(request, shown, error=error.message)
    except ServiceError as error:
        values = {"name": request.POST.get("name", ""), "email": request.POST.get("email", "")}
        return _confirm_page(request, shown, starts=starts_at, start_value=request.POST.get("start", ""),
                             values=values, error=error.message)
    return render(request, "meetings/widget/booked.html", {
        "shown": shown, "meeting": meeting, "starts": meeting.starts_at.astimezone(zoneinfo.ZoneInfo(zone_name)),
        "zone_name": zone_name,
    })
