"""The agent's side of the meeting booker: "Book a meeting" in a chat's composer, "Show calendar" beside
"Transfer to", the workspace's Meetings, and a booked meeting's chat transcript."""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat import selectors as chat_selectors
from chat.models import ChatSession
from helpdesk import roles
from helpdesk.errors import NotAllowed, NotFound
from helpdesk.http import agent_required, service_errors
from helpdesk.models import available_q
from meetings import selectors
from meetings.forms import WorkingCalendarForm, WorkingPeriodFormSet
from meetings.models import Meeting
from meetings.services import booking, hours


def _chat_for_calendars(request, session_id) -> ChatSession:
    session = ChatSession.objects.select_related("channel").filter(pk=session_id).first()
    if session is None or session.channel_id not in roles.rights_by_channel(request.user):
        raise NotFound(_("No such chat."))
    if not booking.may_show_calendars(request.user, session):
        raise NotAllowed(_("Only the agent who owns this chat, or a manager, can show a calendar in it."))
    return session


def calendar_people(user, session):
    """"Calendar of": the agent first, then every colleague of the channel, Present or not."""
    colleagues = list(booking.colleagues_of(session).exclude(pk=user.pk))
    return ([user] if booking.colleagues_of(session).filter(pk=user.pk).exists() else []) + colleagues


@require_GET
@agent_required
@service_errors
def book_form(request, session_id):
    session = _chat_for_calendars(request, session_id)
    return render(request, "meetings/partials/book_form.html", {
        "session": session, "people": calendar_people(request.user, session),
    })


@require_POST
@agent_required
@service_errors
def show_calendar(request, session_id):
    session = _chat_for_calendars(request, session_id)
    try:
        agent = get_user_model().objects.get(pk=int(request.POST.get("agent", "")))
    except (ValueError, get_user_model().DoesNotExist):
        raise NotFound(_("Choose whose calendar to show."))
    booking.calendar_show(session=session, agent=agent, by=request.user)
    return HttpResponse("")  # empties the "Book a meeting" form; the card arrives in the transcript


@require_GET
@agent_required
@service_errors
def away_colleagues(request, session_id):
    """Beside "Transfer to": the colleagues who are not there to take the chat, each with "Show calendar"."""
    session = _chat_for_calendars(request, session_id)
    away = booking.colleagues_of(session).exclude(pk__in=[request.user.pk, session.owner_id]).exclude(
        available_q("agent_profile__")
    )
    return render(request, "meetings/partials/away_colleagues_list.html", {"session": session, "away": away})


@require_GET
@agent_required
def upcoming(request):
    return render(request, "meetings/partials/upcoming.html", {
        "meetings": selectors.upcoming_meetings(request.user), "zone": selectors.agent_time_zone(request.user),
    })


@require_GET
@agent_required
@service_errors
def meeting_transcript(request, meeting_id):
    """The chat a meeting was booked from, read-only, for the meeting's agent and for whoever may watch the
    channel's chats (its managers and Can listen in)."""
    meeting = Meeting.objects.select_related("session__channel", "session__owner").filter(pk=meeting_id).first()
    if meeting is None or meeting.session is None:
        raise NotFound(_("No such meeting."))
    rights = roles.rights_on(request.user, meeting.channel_id)
    if meeting.agent_id != request.user.pk and not (rights.can_listen_in or rights.is_manager):
        raise NotFound(_("No such meeting."))
    session = meeting.session
    return render(request, "meetings/transcript.html", {
        "meeting": meeting, "session": session, "messages": list(chat_selectors.transcript(session)),
    })


@require_http_methods(["GET", "POST"])
@agent_required
def working_hours(request):
    """The agent's own time zone and working hours: the free times their calendar offers visitors."""
    calendar = hours.working_calendar_of(request.user)
    calendar_form = WorkingCalendarForm(request.POST or None, instance=calendar)
    periods_formset = WorkingPeriodFormSet(request.POST or None, instance=calendar, prefix="periods")
    saved = False
    if request.method == "POST" and calendar_form.is_valid() and periods_formset.is_valid():
        calendar = hours.working_hours_save(calendar_form=calendar_form, periods_formset=periods_formset)
        calendar_form = WorkingCalendarForm(instance=calendar)
        periods_formset = WorkingPeriodFormSet(instance=calendar, prefix="periods")
        saved = True
    status = 400 if request.method == "POST" and not saved else 200
    return render(request, "meetings/working_hours.html", {
        "calendar_form": calendar_form, "periods_formset": periods_formset, "saved": saved,
    }, status=status)
