"""Search chats: the workspace's search over past chats, and a found chat's transcript, read-only."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chat import search, selectors
from helpdesk.errors import NotFound
from helpdesk.http import agent_required, service_errors

RESULTS_PER_PAGE = 20


@require_GET
@agent_required
def search_chats(request):
    query = request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
    page = None
    if query:
        found = search.search_past_chats(request.user, query)
        page = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "chat/search.html", {"query": query, "page": page})


@require_GET
@agent_required
@service_errors
def search_transcript(request, session_id):
    """Only a chat the search could have found opens: the same rule, checked here again, since anyone can
    type the address."""
    session = (
        search.readable_past_chats(request.user).select_related("channel", "owner").filter(pk=session_id).first()
    )
    if session is None:
        raise NotFound(_("No such chat."))
    return render(request, "chat/search_transcript.html", {
        "session": session,
        "messages": list(selectors.transcript(session)),
        "transfer_history": list(selectors.transfer_history(session)),
        "query": request.GET.get("q", "")[: search.MAX_QUERY_LENGTH],
    })
