"""Requests (tickets): what a visitor leaves in the offline form, and what an agent makes of a chat."""

from django.conf import settings
from django.db import transaction
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
from helpdesk.errors import Invalid, NotAllowed
from helpdesk.models import Request
from helpdesk.services.contacts import clean_visitor_email, clean_visitor_name
from helpdesk.transcripts import plain_text
from live import events


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
    events.push_on_commit(sessions=[session.pk])
    return request
