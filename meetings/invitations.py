"""The e-mails of a meeting: an .ics invitation (RFC 5545, written by the icalendar library) to the visitor
and to the agent, and the same event cancelled when the visitor cancels. The visitor's e-mail carries a
signed link that cancels the meeting: the signature is the key, so it works without an account and cannot
be made up for another meeting."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from helpdesk.languages import profile_language
from helpdesk.templatetags.people import person
from meetings.models import Meeting

CANCEL_SALT = "meetings.cancel"
PRODUCT_ID = "-//Helpdesk//Meetings//EN"


def cancel_signature(meeting) -> str:
    return signing.dumps(meeting.pk, salt=CANCEL_SALT)


def meeting_from_signature(signature: str):
    """The meeting a cancel link names, or None for a link that was altered or made up."""
    try:
        meeting_id = signing.loads(signature, salt=CANCEL_SALT)
    except signing.BadSignature:
        return None
    return Meeting.objects.select_related("agent", "channel").filter(pk=meeting_id).first()


def cancel_url(meeting, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("meeting_cancel", args=[cancel_signature(meeting)])


def ics(meeting, *, method: str) -> bytes:
    """The meeting as an iCalendar file: REQUEST to invite, CANCEL (with a higher SEQUENCE) to withdraw it."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@helpdesk")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", _("Meeting with %(agent)s") % {"agent": person(meeting.agent)})
    event.add("sequence", 1 if method == "CANCEL" else 0)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{meeting.agent.email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = person(meeting.agent)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{meeting.visitor_email}")
    attendee.params["cn"] = meeting.visitor_name
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def _send(*, to: str, language: str, subject_template: str, body_template: str, context: dict, method: str,
          meeting) -> None:
    with translation.override(language):
        subject = render_to_string(subject_template, context).strip()
        body = render_to_string(body_template, context)
        attachment = ics(meeting, method=method)
    message = EmailMessage(subject, body, to=[to], headers={"Content-Language": language})
    message.attach("meeting.ics", attachment, f"text/calendar; method={method}; charset=utf-8")
    message.send()


def _agent_language(agent) -> str:
    return profile_language(agent) or settings.LANGUAGE_CODE


def _agent_zone(agent) -> str:
    calendar = getattr(agent, "working_calendar", None)
    return calendar.time_zone if calendar is not None else settings.TIME_ZONE


def _visitor_language(meeting) -> str:
    return (meeting.session.visitor_language if meeting.session else "") or settings.LANGUAGE_CODE


def send_invitations(meeting, *, site_url: str) -> None:
    context = {"meeting": meeting, "agent_name": person(meeting.agent), "cancel_url": cancel_url(meeting, site_url)}
    _send(to=meeting.visitor_email, language=_visitor_language(meeting), method="REQUEST", meeting=meeting,
          subject_template="meetings/email/invitation_subject.txt", body_template="meetings/email/invitation.txt",
          context={**context, "for_visitor": True, "zone": meeting.visitor_time_zone})
    if meeting.agent.email:
        _send(to=meeting.agent.email, language=_agent_language(meeting.agent), method="REQUEST", meeting=meeting,
              subject_template="meetings/email/invitation_subject.txt",
              body_template="meetings/email/invitation.txt", context={**context, "for_visitor": False, "zone": _agent_zone(meeting.agent)})


def send_cancellations(meeting) -> None:
    context = {"meeting": meeting, "agent_name": person(meeting.agent)}
    _send(to=meeting.visitor_email, language=_visitor_language(meeting), method="CANCEL", meeting=meeting,
          subject_template="meetings/email/cancelled_subject.txt", body_template="meetings/email/cancelled.txt",
          context={**context, "for_visitor": True, "zone": meeting.visitor_time_zone})
    if meeting.agent.email:
        _send(to=meeting.agent.email, language=_agent_language(meeting.agent), method="CANCEL", meeting=meeting,
              subject_template="meetings/email/cancelled_subject.txt", body_template="meetings/email/cancelled.txt",
              context={**context, "for_visitor": False, "zone": _agent_zone(meeting.agent)})
