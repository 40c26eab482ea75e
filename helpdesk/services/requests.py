"""Requests (tickets): what a visitor leaves in the offline form, and what an agent makes of a chat."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chat.models import Channel, ChatSession
from chat.services.messages import clean_body
from helpdesk import roles
from helpdesk.chat_requests import (
    TITLE_MAX_LENGTH,
    assignable_agents,
    may_create_request,
)
from helpdesk.contacts import contact_by_email
from helpdesk.errors import Conflict, Invalid, NotAllowed, NotFound
from helpdesk.models import Request, RequestReply
from helpdesk import work_requests as request_selectors
from helpdesk.services.contacts import clean_visitor_email, clean_visitor_name
from helpdesk.transcripts import plain_text
from helpdesk.visible_text import visible_text
from live import events

REPLY_MAX_LENGTH = 10_000


@transaction.atomic
def request_from_offline_form(*, channel: Channel, name: str, email: str, message: str) -> Request:
    name = clean_visitor_name(name)
    email = clean_visitor_email(email)
    if not email:
        raise Invalid(_("Please give an email address so we can answer you."))
    body = clean_body(message)
    request = Request.objects.create(
        source=Request.Source.OFFLINE_FORM, channel=channel, name=name, email=email, body=body,
        title=body.splitlines()[0][:200], contact=contact_by_email(email),
    )
    events.push_on_commit(team=[events.OFFLINE], channel_ids=[channel.pk])
    return request


def _assignee(session: ChatSession, assigned_to_id):
    if assigned_to_id in (None, ""):
        return None
    try:
        agent = assignable_agents(session.channel_id).filter(pk=int(assigned_to_id)).first()
    except (TypeError, ValueError):
        agent = None
    if agent is None:
        raise Invalid(_("Choose an agent of this channel, or Unassigned."))
    return agent

@transaction.atomic
def request_create_from_chat(*, session: ChatSession, by, title: str, assigned_to_id=None) -> Request:
    """"Create request": the chat becomes a request with its transcript, for someone to handle later."""
    session = ChatSession.objects.select_for_update().select_related("channel").get(pk=session.pk)
    if session.is_queued:
        raise Invalid(_("Nobody has answered this chat yet."))
    is_manager = roles.rights_on(by, session.channel_id).is_manager
    if not may_create_request(session, user_id=by.pk, is_manager=is_manager):
        raise NotAllowed(_("Only the agent who owns this chat, or a manager, can create a request from it."))
    title = " ".join((title or "").split())
    if not title:
        raise Invalid(_("Give the request a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise Invalid(_("A title can be at most %(limit)s characters long.") % {"limit": TITLE_MAX_LENGTH})
    assigned_to = _assignee(session, assigned_to_id)
    with translation.override(settings.LANGUAGE_CODE):
        body = plain_text(session)
    request = Request.objects.create(
        source=Request.Source.CHAT, channel=session.channel, session=session, contact_id=session.contact_id,
        title=title, body=body, name=session.visitor_name, email=session.visitor_email,
        assigned_to=assigned_to, created_by=by,
    )
    events.push_on_commit(sessions=[session.pk], requests_of=[assigned_to.pk] if assigned_to else ())
    return request


# --- Working a request: who may, and the verbs ----------------------------------------------------------


def _locked(request: Request, by) -> Request:
    """The request, locked for this change, if `by` may work it: rights on its channel, checked again here
    so that no view can forget them. Anyone else is told it does not exist."""
    locked = Request.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None or not request_selectors.may_work(by, locked.channel_id):
        raise NotFound(_("No such request."))
    return locked


def _push_change(request: Request, *, told=()) -> None:
    """The Dashboard's Offline messages show assignee and status; the assignee's (and a former assignee's)
    Requests tab counts them."""
    team = [events.OFFLINE] if request.source == Request.Source.OFFLINE_FORM else []
    events.push_on_commit(
        team=team, channel_ids=[request.channel_id], requests_of=[a for a in (request.assigned_to_id, *told) if a]
    )


@transaction.atomic
def request_assign(*, request: Request, by, assignee_id) -> Request:
    """Give the request to a colleague of its channel who can respond (or to nobody: empty)."""
    request = _locked(request, by)
    if assignee_id in (None, ""):
        assignee = None
    else:
        try:
            assignee = assignable_agents(request.channel_id).filter(pk=int(assignee_id)).first()
        except (TypeError, ValueError):
            assignee = None
        if assignee is None:
            raise Invalid(_("Choose an agent of this channel, or Unassigned."))
    previous_id = request.assigned_to_id
    if previous_id == (assignee.pk if assignee else None):
        return request
    request.assigned_to = assignee
    request.save(update_fields=["assigned_to", "updated_at"])
    _push_change(request, told=[previous_id])
    if assignee is not None and assignee.pk != by.pk and assignee.email:
        transaction.on_commit(lambda: _assigned_email(request=request, assignee=assignee), robust=True)
    return request


@transaction.atomic
def request_set_status(*, request: Request, by, status: str) -> Request:
    """Pending (waiting for the visitor), Closed (done) or Open again."""
    request = _locked(request, by)
    if status not in Request.Status.values:
        raise Invalid(_("Choose Open, Pending or Closed."))
    if request.status != status:
        request.status = status
        request.save(update_fields=["status", "updated_at"])
        _push_change(request)
    return request


@transaction.atomic
def request_reply(*, request: Request, by, body: str, submission: str) -> RequestReply:
    """Answer the visitor by e-mail. The reply is kept on the request and mailed once it is committed; the
    same form sent twice (a double click, a resent POST) makes one reply and one e-mail."""
    request = _locked(request, by)
    body = visible_text(body or "")
    if not body:
        raise Invalid(_("Type a reply first."))
    if len(body) > REPLY_MAX_LENGTH:
        raise Invalid(_("A reply can be at most %(limit)s characters long.") % {"limit": REPLY_MAX_LENGTH})
    if not request.email:
        raise Conflict(_("This request has no e-mail address to answer."))
    if request.is_closed:
        raise Conflict(_("This request is closed. Reopen it to reply."))
    submission = (submission or "")[:64]
    if not submission:
        raise Invalid(_("Reload the page and try again."))
    existing = RequestReply.objects.filter(request=request, submission=submission).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            reply = RequestReply.objects.create(
                request=request, author=by, body=body, sent_to=request.email, submission=submission
            )
    except IntegrityError:  # the same submission, committed by a concurrent POST meanwhile
        return RequestReply.objects.get(request=request, submission=submission)
    request.save(update_fields=["updated_at"])
    # robust: a mail server that is down must not turn a stored reply into an error page.
    transaction.on_commit(lambda: _reply_email(reply=reply, request=request), robust=True)
    return reply


def _reply_email(*, reply: RequestReply, request: Request) -> None:
    language = request.session.visitor_language if request.session_id and request.session else None
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Re: %(title)s [Request #%(number)s]") % {"title": request.title, "number": request.pk}
    send_mail(subject, reply.body, None, [reply.sent_to])


def _assigned_email(*, request: Request, assignee) -> None:
    language = getattr(getattr(assignee, "agent_profile", None), "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Request #%(number)s was assigned to you") % {"number": request.pk}
        body = _("%(title)s\n\nFrom: %(name)s") % {"title": request.title, "name": request.name}
    send_mail(subject, body, None, [assignee.email])
