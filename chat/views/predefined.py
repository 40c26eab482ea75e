"""Predefined text in the agent's composer: the "Insert text" picker, its search, the "/shortcut" list,
and the agent's own quick replies."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from chat import predefined
from chat.models import PredefinedText
from chat.services import predefined as services
from helpdesk.errors import NotFound
from helpdesk.http import agent_required, refusal, service_errors

# Sent with every change to a quick reply: static/helpdesk/predefined.js then re-reads the shortcuts.
CHANGED_EVENT = "predefined-changed"


def _chat_id(request) -> str:
    """The chat whose composer asked ("chat" in the query or the form), or ""."""
    chat_id = request.GET.get("chat") or request.POST.get("chat") or ""
    return chat_id if chat_id.isascii() and chat_id.isdigit() else ""  # "²" is a digit to str.isdigit, not to int()


def _language(request):
    """The chat's language when asked from a chat's composer, else the agent's own."""
    chat_id = _chat_id(request)
    language = predefined.chat_language(request.user, int(chat_id)) if chat_id else None
    return language or predefined.agent_language(request.user, request.LANGUAGE_CODE)


def _results_context(request, query):
    language = _language(request)
    groups = predefined.search(request.user, language=language, query=query)
    return {
        "groups": groups, "language": language, "query": query, "found": any(g.texts for g in groups),
        "chat_id": _chat_id(request),
    }


def _visible_or_404(request, pk):
    text = predefined.visible_text(request.user, pk)
    if text is None:
        # The same answer for a colleague's quick reply and for no text at all.
        raise NotFound(_("No such text."))
    return text


def _fields(request):
    return {name: request.POST.get(name, "") for name in ("title", "shortcut", "text", "language")}


def _saved(request):
    """The picker's list as it is now, and the editor closed."""
    response = render(request, "chat/partials/predefined_saved.html", _results_context(request, request.POST.get("q", "")))
    return trigger_client_event(response, CHANGED_EVENT)


@require_GET
@agent_required
def picker(request):
    return render(request, "chat/partials/predefined_picker.html", _results_context(request, ""))


@require_GET
@agent_required
def results(request):
    return render(request, "chat/partials/predefined_results.html", _results_context(request, request.GET.get("q", "")))


@require_GET
@agent_required
def shortcuts(request):
    """For typing "/shortcut" in the text box: the browser expands it without asking again per key."""
    texts = predefined.shortcuts(request.user, language=_language(request))
    return JsonResponse({"texts": [
        {"shortcut": t.shortcut, "title": t.title, "text": t.text, "language": t.language, "kind": t.kind}
        for t in texts
    ]})


@require_GET
@agent_required
def quick_reply_new(request):
    return render(request, "chat/partials/predefined_quick_reply_form.html", {
        "quick_reply": None, "values": {"language": _language(request)}, "languages": settings.LANGUAGES,
    })


@require_POST
@agent_required
@service_errors
def quick_reply_create(request):
    services.quick_reply_create(owner=request.user, **_fields(request))
    return _saved(request)


@require_GET
@agent_required
@service_errors
def quick_reply_edit(request, pk):
    text = _visible_or_404(request, pk)
    if text.kind != PredefinedText.Kind.QUICK_REPLY:
        return refusal(_("Reply templates and FAQs are kept by managers in the admin."), 403)
    return render(request, "chat/partials/predefined_quick_reply_form.html", {
        "quick_reply": text, "values": text, "languages": settings.LANGUAGES,
    })


@require_POST
@agent_required
@service_errors
def quick_reply_update(request, pk):
    services.quick_reply_update(quick_reply=_visible_or_404(request, pk), by=request.user, **_fields(request))
    return _saved(request)


@require_POST
@agent_required
@service_errors
def quick_reply_delete(request, pk):
    services.quick_reply_delete(quick_reply=_visible_or_404(request, pk), by=request.user)
    return _saved(request)
