"""Requests: "Create request" from a chat (the small form behind the Menu item), and working requests: the
Requests list, a request's page, assigning, replying by e-mail, pending, closing and reopening."""

import json
import uuid
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpdesk import chat_requests, work_requests
from helpdesk.errors import NotAllowed, ServiceError
from helpdesk.http import agent_required, refused, service_errors
from helpdesk.models import Contact, Request
from helpdesk.services import requests as services
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


# --- Working requests: the Requests list, a request's page, and its verbs --------------------------------


@require_GET
@agent_required
def request_list(request):
    show = request.GET.get("show") if request.GET.get("show") in work_requests.SHOWS else work_requests.MINE
    status = request.GET.get("status") if request.GET.get("status") in Request.Status.values else ""
    context = {
        "page": Paginator(work_requests.request_list(request.user, show=show, status=status),
                          work_requests.PER_PAGE).get_page(request.GET.get("page")),
        "show": show, "status": status,
        "shows": [
            (work_requests.MINE, _("Assigned to me")), (work_requests.UNASSIGNED, _("Unassigned")),
            (work_requests.ALL, _("All in my channels")),
        ],
        "statuses": [("", _("Any status")), *Request.Status.choices],
    }
    return render(request, "helpdesk/requests.html", context)


def _page(request, work_request, *, error="", status=200, reply_text=""):
    context = {
        "work_request": work_request,
        "transcript_readable": work_requests.transcript_readable(request.user, work_request),
        "agents": list(chat_requests.assignable_agents(work_request.channel_id)),
        "submission": uuid.uuid4().hex,
        "error": error, "reply_text": reply_text,
    }
    return render(request, "helpdesk/request_page.html", context, status=status)


@require_GET
@agent_required
@service_errors
def request_detail(request, request_id):
    return _page(request, work_requests.request_for(request.user, request_id))


def _request_verb(change):
    """A POST on a request: found only where the person may work it (404 elsewhere); from the Dashboard
    (htmx) the answer is empty, as the live push redraws the list; from the request's page, back to it."""

    @require_POST
    @agent_required
    @wraps(change)
    def view(request, request_id):
        work_request = get_object_or_404(Request, pk=request_id, channel_id__in=work_requests.workable_channels(request.user))
        try:
            change(request, work_request)
        except ServiceError as error:
            if request.htmx:
                return refused(error)
            page = work_requests.request_for(request.user, request_id)
            return _page(request, page, error=error.message, status=error.status_code,
                         reply_text=request.POST.get("body", ""))
        if request.htmx:
            return HttpResponse(status=204)
        return redirect("request_detail", request_id=request_id)

    return view


@_request_verb
def request_assign(request, work_request):
    services.request_assign(request=work_request, by=request.user, assignee_id=request.POST.get("assigned_to"))


@_request_verb
def request_take(request, work_request):
    services.request_assign(request=work_request, by=request.user, assignee_id=request.user.pk)


@_request_verb
def request_status(request, work_request):
    services.request_set_status(request=work_request, by=request.user, status=request.POST.get("status", ""))


@_request_verb
def request_reply(request, work_request):
    services.request_reply(
        request=work_request, by=request.user, body=request.POST.get("body", ""),
        submission=request.POST.get("submission", ""),
    )
