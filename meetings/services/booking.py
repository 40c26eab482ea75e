"""Every change of the meeting booker: showing a calendar in a chat, booking a time, cancelling it.

Each runs in one transaction, writes its line in the chat's transcript, and schedules its pushes and
e-mails for after the commit. Booking locks the agent's working calendar row, so bookings of one agent go
one at a time; the database's one-meeting-per-agent-and-start constraint holds even where that lock does
not (SQLite), so two visitors confirming the same time never both win.
"""

import zoneinfo
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import selectors
from chat.models import ChatSession, Message
from helpdesk import roles
from helpdesk.errors import Conflict, Invalid, NotAllowed
from live import events
from live import lines as live_lines
from meetings import invitations, lines
from meetings.models import CalendarShown, Meeting, WorkingCalendar
from meetings.services import slots

# The one trigger every meetings part of a page listens for (static/meetings/meetings.js): no words, no
# data, so one render serves every widget and workspace it goes to.
REFETCH_HTML = '<div id="meetings-refetch" hidden data-meetings-refetch></div>'


class SlotTaken(Conflict):
    """Someone else booked this time first, or it is no longer free."""


def colleagues_of(session: ChatSession):
    """Everyone whose calendar a chat of this channel can show: active people who respond on it, Present
    or not."""
    return (
        get_user_model().objects.filter(
            is_active=True, channel_memberships__channel_id=session.channel_id, channel_memberships__can_respond=True,
        ).order_by("first_name", "last_name", "username")
    )


def may_show_calendars(user, session: ChatSession) -> bool:
    """The chat's owner, or a manager of its channel, while the chat is active: as for a transfer."""
    if not session.is_active:
        return False
    return session.owner_id == user.pk or roles.rights_on(user, session.channel_id).is_manager


def _post_line(session: ChatSession, *, event: str, body: str, author=None) -> Message:
    message = Message.objects.create(session=session, kind=Message.Kind.EVENT, event=event, body=body, author=author)
    line = live_lines.line_event(message, selectors.line_before(message))
    events.push_line_on_commit(session.pk, line)
    return message


@transaction.atomic
def calendar_show(*, session: ChatSession, agent, by) -> CalendarShown:
    """Show `agent`'s free times to the chat's visitor, as a card in the transcript."""
    session = ChatSession.objects.select_for_update(no_key=True).get(pk=session.pk)
    if not may_show_calendars(by, session):
        if session.is_ended:
            raise Conflict(_("This chat has ended."))
        raise NotAllowed(_("Only the agent who owns this chat, or a manager, can show a calendar in it."))
    if not colleagues_of(session).filter(pk=agent.pk).exists():
        raise Invalid(_("Choose someone who answers chats on this channel."))
    shown = CalendarShown.objects.create(session=session, agent=agent, shown_by=by)
    _post_line(session, event=Message.Event.CALENDAR_SHOWN, body=lines.calendar_shown_body(shown), author=by)
    return shown


def _clean_visitor(name: str, email: str, time_zone: str) -> tuple[str, str, str]:
    name, email = (name or "").strip(), (email or "").strip()
    if not name:
        raise Invalid(_("Enter your name."))
    if len(name) > 100:
        raise Invalid(_("A name can be at most 100 characters long."))
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("Enter a valid email address, so that we can send you the invitation."))
    if time_zone not in zoneinfo.available_timezones():
        time_zone = "UTC"
    return name, email, time_zone


def parse_start(value: str) -> datetime:
    try:
        starts_at = datetime.fromisoformat(value or "")
    except ValueError:
        raise Invalid(_("Choose one of the times shown."))
    if timezone.is_naive(starts_at):
        raise Invalid(_("Choose one of the times shown."))
    return starts_at


def meeting_book(*, shown: CalendarShown, starts_at: datetime, name: str, email: str, time_zone: str,
                 site_url: str) -> Meeting:
    """Book `starts_at` with the agent of a calendar shown in a chat; SlotTaken when it is not free (any
    more). The visitor and the agent get an invitation by e-mail once it is committed. The same chat asking
    again for the time it has just booked (a double click, a resent form) gets that meeting back, once."""
    name, email, time_zone = _clean_visitor(name, email, time_zone)
    try:
        with transaction.atomic():
            meeting = _book(shown, starts_at, name, email, time_zone, site_url)
    except IntegrityError:
        meeting = _booked_already(shown, starts_at)
        if meeting is None:
            raise SlotTaken(_("Someone else has just booked this time. Choose another one."))
    return meeting


def _booked_already(shown, starts_at):
    return Meeting.objects.booked().filter(session_id=shown.session_id, agent_id=shown.agent_id,
                                           starts_at=starts_at).first()


def _book(shown, starts_at, name, email, time_zone, site_url):
    session = ChatSession.objects.select_related("channel").get(pk=shown.session_id)
    # One booking per agent at a time (PostgreSQL); it also makes the check below see the winner's meeting.
    WorkingCalendar.objects.select_for_update().filter(agent_id=shown.agent_id).first()
    if (meeting := _booked_already(shown, starts_at)) is not None:
        return meeting
    if starts_at not in slots.agent_free_slots(shown.agent, session.channel):
        raise SlotTaken(_("This time is no longer free. Choose another one."))
    meeting = Meeting.objects.create(
        channel=session.channel, session=session, agent=shown.agent, visitor_name=name, visitor_email=email,
        visitor_time_zone=time_zone, starts_at=starts_at,
        ends_at=starts_at + slots.meeting_length(session.channel),
    )
    _post_line(session, event=Message.Event.MEETING_BOOKED, body=lines.meeting_body(meeting))
    _calendar_changed(meeting)
    # robust: a mail server that is down must not turn a stored booking into an error page.
    transaction.on_commit(lambda: invitations.send_invitations(meeting, site_url=site_url), robust=True)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by=None) -> Meeting:
    """Cancel a booked meeting (the visitor from the link in their e-mail): its time is free again. A second
    cancel changes nothing."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("agent", "session").get(pk=meeting.pk)
    if not meeting.is_booked:
        return meeting
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.save(update_fields=["status", "cancelled_at"])
    if meeting.session is not None:
        _post_line(meeting.session, event=Message.Event.MEETING_CANCELLED, body=lines.meeting_body(meeting),
                   author=by)
    _calendar_changed(meeting)
    transaction.on_commit(lambda: invitations.send_cancellations(meeting), robust=True)
    return meeting


def _calendar_changed(meeting: Meeting) -> None:
    """The agent's free times changed: every open chat showing their calendar fetches its times again, and
    the agent's workspace its Meetings."""
    sessions = CalendarShown.objects.filter(
        agent_id=meeting.agent_id, session__status__in=[ChatSession.Status.QUEUED, ChatSession.Status.ACTIVE],
    ).values_list("session_id", flat=True).distinct()
    groups = [events.session_group(session_id) for session_id in sessions]
    if meeting.session_id:
        groups.append(events.session_group(meeting.session_id))
    groups.append(events.agent_group(meeting.agent_id))
    events.refetch_on_commit(groups=groups, html=REFETCH_HTML)
