"""Typing indicators over HTTP, like every other write: each side's browser reports, at most every couple
of seconds while the person types, and the other side is told over its websocket."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from chat import selectors, throttles
from chat.models import ChatSession
from chat.services.typing import typing_by_agent, typing_by_visitor
from chat.views.widget import widget_view
from helpdesk.errors import ServiceError
from helpdesk.http import agent_required, refused, service_errors


@require_POST
@agent_required
@service_errors
def agent_typing(request, session_id):
    session = get_object_or_404(ChatSession.objects.select_related("channel"), pk=session_id)
    typing_by_agent(session=session, agent=request.user)
    return HttpResponse(status=204)


@widget_view
@require_POST
def visitor_typing(request, slug, token):
    session = selectors.visitor_session(token=token, slug=slug)
    try:
        throttles.check(request, throttles.TYPING, session.channel, token)
        typing_by_visitor(session=session)
    except ServiceError as error:
        return refused(error)
    return HttpResponse(status=204)
