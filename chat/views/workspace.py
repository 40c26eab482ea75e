"""The agent workspace: the page, the chat panel, and the agent's actions on a chat."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chat.models import ChatSession
from chat.services import listeners, messages, sessions, spam
from helpdesk import roles
from helpdesk.errors import NotAllowed, NotFound
from helpdesk.http import agent_required, refusal, service_errors
from live import alerts, fragments
from live.access import panel_access


@require_GET
@agent_required
def workspace(request):
    user = request.user
    context = {**fragments.workspace_context(user), **alerts.alerts_context(user)}
    return render(request, "chat/workspace.html", context)


def _panel_response(request, access):
    """The chat panel; the lines it shows are read from now on (a supervisor's reading is not counted)."""
    if access.role in ("owner", "listening", "offered"):
        messages.session_mark_read(session=access.session, agent=request.user)
    return render(request, "chat/partials/panel.html", fragments.panel_context(access))


def _access_or_refuse(request, session_id):
    """The person's access to the chat, or a plain-text refusal (the workspace shows it in its alert
    line). A chat of the agent's own channel answers 403, not 404: its Dashboard lists every ongoing
    chat of the channel anyway, and a clear "not allowed" tells the agent why a forged link does not
    open it. A chat of another channel, like a missing one, is not found."""
    access = panel_access(request.user, session_id)
    if access is None:
        channel_ids = list(roles.rights_by_channel(request.user))
        if ChatSession.objects.filter(pk=session_id, channel_id__in=channel_ids).exists():
            raise NotAllowed(_("You cannot open this chat: it is not yours, and watching a colleague's chat "
                               "needs the Can listen in permission."))
        raise NotFound(_("No such chat."))
    return access


@require_GET
@agent_required
@service_errors
def chat_panel(request, session_id):
    # A supervisor's visit is recorded by the panel's socket, which is what watches the chat: a GET
    # changes nothing, and opening the socket without this page must not go unrecorded.
    return _panel_response(request, _access_or_refuse(request, session_id))


@require_POST
@agent_required
@service_errors
def answer(request, session_id):
    session = get_object_or_404(ChatSession, pk=session_id)
    sessions.session_answer(session=session, agent=request.user)
    return _panel_response(request, _access_or_refuse(request, session_id))


@require_POST
@agent_required
@service_errors
def take_next(request):
    session = sessions.queue_take_next(agent=request.user)
    if session is None:
        return refusal(_("Nobody is waiting in the queue."), 409)
    return _panel_response(request, _access_or_refuse(request, session.pk))


@require_POST
@agent_required
@service_errors
def send_message(request, session_id):
    messages.message_post_by_agent(session_id=session_id, agent=request.user, body=request.POST.get("body", ""))
    return HttpResponse(status=204)


@require_POST
@agent_required
@service_errors
def end_chat(request, session_id):
    session = get_object_or_404(ChatSession, pk=session_id)
    sessions.session_end(session=session, agent=request.user)
    return HttpResponse(status=204)


@require_POST
@agent_required
@service_errors
def close_window(request, session_id):
    session = get_object_or_404(ChatSession, pk=session_id)
    listeners.listener_close_window(session=session, agent=request.user)
    return render(request, "chat/partials/panel_empty.html")


@require_GET
@agent_required
@service_errors
def recent_transcript(request, session_id):
    access = _access_or_refuse(request, session_id)
    if not access.session.is_ended:
        raise NotFound(_("No such chat."))
    return _panel_response(request, access)


@require_POST
@agent_required
@service_errors
def mark_spam(request, session_id):
    """"Mark as spam" in a chat's Menu or on its row in Incoming chat; the open panel closes, since the chat
    leaves every list."""
    session = get_object_or_404(ChatSession, pk=session_id)
    spam.session_mark_spam(
        session=session, by=request.user, block_for=spam.block_duration(request.POST.get("block_for")),
    )
    return render(request, "chat/partials/panel_empty.html")


@require_POST
@agent_required
@service_errors
def end_queued(request):
    """A manager's "End selected" or "Mark selected as spam" on the Incoming chat list."""
    as_spam = request.POST.get("action") == "spam"
    block_for = spam.block_duration(request.POST.get("block_for")) if as_spam else None
    try:
        session_ids = [int(value) for value in request.POST.getlist("session")]
    except ValueError:
        raise NotFound(_("No such chat."))
    if not session_ids:
        return refusal(_("Choose the chats to end first."), 400)
    spam.queue_end_many(session_ids=session_ids, by=request.user, spam=as_spam, block_for=block_for)
    return HttpResponse(status=204)
