"""Create request from a chat: the small form behind the Menu item, and creating the request."""

import json

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpdesk import chat_requests
from helpdesk.errors import NotAllowed
from helpdesk.http import agent_required, service_errors
from helpdesk.models import Contact
from helpdesk.services.requests import request_create_from_chat
from helpdesk.views.contacts import chat_access


@require_GET
@agent_required
@service_errors
def request_form(request, session_id):
    access = chat_access(request, session_id)
    session = access.session
    if not chat_requests.may_create_request(session, user_id=request.user.pk, is_manager=access.is_manager):
        raise NotAllowed(_("Only the agent who owns this chat, or a manager, can create a request from it."))
    context = {
        "session": session,
        "title": chat_requests.suggested_title(session),
        "agents": list(chat_requests.assignable_agents(session.channel_id)),
        "contact": Contact.objects.filter(pk=session.contact_id).first() if session.contact_id else None,
    }
    return render(request, "helpdesk/partials/request_form.html", context)


@require_POST
@agent_required
@service_errors
def create(request, session_id):
    access = chat_access(request, session_id)
    created = request_create_from_chat(
        session=access.session, by=request.user, title=request.POST.get("title", ""),
        assigned_to_id=request.POST.get("assigned_to") or None,
    )
    response = render(request, "helpdesk/partials/request_created.html", {"created_request": created})
    # The agent's Message box gets "Request #N" to send or edit (static/helpdesk/app.js inserts it). It is
    # meant for the visitor, so it is in the language they chat in, whatever the agent's.
    with translation.override(access.session.visitor_language or settings.LANGUAGE_CODE):
        text_for_visitor = _("Request #%(number)s") % {"number": created.pk}
    response["HX-Trigger"] = json.dumps({
        "helpdesk:insertText": {"into": f"composer-text-{access.session.pk}", "text": text_for_visitor}
    })
    return response
