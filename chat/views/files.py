"""Files in a chat: sending one (agent and visitor) and downloading one (only the chat's people).

Stored files are private: no static or media URL serves them, only these views after checking who asks.
Anyone else gets 404, the same answer as for a file that does not exist.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from chat import selectors, throttles
from chat.models import Attachment, ChatSession
from chat.services import files
from chat.views.widget import widget_view
from helpdesk.errors import ServiceError
from helpdesk.http import agent_required, refused, service_errors
from helpdesk.middleware import reads_its_own_body
from live.access import access_for


def _file_response(attachment: Attachment) -> FileResponse:
    """Pictures inline (the transcript previews them), everything else as a download. Nosniff and a CSP that
    allows nothing keep a file from ever running as a page on this site, whatever its bytes are."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file does not exist."))
    response = FileResponse(
        handle, as_attachment=not attachment.is_image, filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private"
    return response


def _visitor_session(slug, token) -> ChatSession:
    return selectors.visitor_session(token=token, slug=slug)


# Exempt only to put the size check first: CSRF's check reads request.POST, which parses the whole body and
# spools the upload to disk. csrf_protect on _store_agent_file checks the token right after (Django's
# documented pattern for views that must act before the body is read).
@reads_its_own_body
@csrf_exempt
@require_POST
@agent_required
@service_errors
def agent_send_file(request, session_id):
    session = get_object_or_404(ChatSession.objects.select_related("channel"), pk=session_id)
    files.check_upload_length(session.channel, request.META.get("CONTENT_LENGTH"))
    return _store_agent_file(request, session)


@csrf_protect
def _store_agent_file(request, session):
    files.file_send_by_agent(session=session, agent=request.user, upload=request.FILES.get("file"))
    return HttpResponse(status=204)


@require_GET
@login_required
def agent_download(request, session_id, attachment_id):
    attachment = get_object_or_404(
        Attachment.objects.select_related("message__session"), pk=attachment_id, message__session_id=session_id
    )
    if access_for(request.user, attachment.message.session) is None:
        raise Http404(_("This file does not exist."))
    return _file_response(attachment)


@reads_its_own_body
@widget_view
@require_POST
def visitor_send_file(request, slug, token):
    session = _visitor_session(slug, token)
    try:
        throttles.check(request, throttles.FILES, session.channel, token)
        files.check_upload_length(session.channel, request.META.get("CONTENT_LENGTH"))
        files.file_send_by_visitor(session=session, upload=request.FILES.get("file"))
    except ServiceError as error:
        return refused(error)
    return HttpResponse(status=204)


@widget_view
@require_GET
def visitor_download(request, slug, token, attachment_id):
    """The token in the URL is the visitor's only credential, as everywhere in the widget."""
    session = _visitor_session(slug, token)
    return _file_response(get_object_or_404(Attachment, pk=attachment_id, message__session=session))
