"""The chat's contact panel: find the customer (suggestions, search), link them, or create them.

Any agent who may open the chat sees the panel; the services decide who may change the link.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpdesk import contact_panel, contacts
from helpdesk.errors import NotFound
from helpdesk.http import agent_required, service_errors
from helpdesk.models import Contact
from helpdesk.services.contacts import (
    CONTACT_FIELD_LIMITS,
    contact_create,
    session_link_contact,
)
from live.access import panel_access


def chat_access(request, session_id):
    """The viewer's access to the chat, or 404: the same answer for a chat that does not exist and one
    the agent may not see."""
    access = panel_access(request.user, session_id)
    if access is None:
        raise NotFound(_("No such chat."))
    return access


def _panel(request, session_id):
    access = chat_access(request, session_id)
    context = {"access": access, "session": access.session, **contact_panel.panel_context(access)}
    return render(request, "chat/partials/contact_panel.html", context)


@require_GET
@agent_required
@service_errors
def panel(request, session_id):
    return _panel(request, session_id)


@require_GET
@agent_required
@service_errors
def search(request, session_id):
    access = chat_access(request, session_id)
    query = request.GET.get("q", "").strip()
    context = {
        "session": access.session,
        "query": query,
        "contacts": list(contacts.search(query)),
        "can_change_contact": contacts.may_change_contact(
            access.session, user_id=access.viewer_id, is_manager=access.is_manager
        ),
    }
    return render(request, "helpdesk/partials/contact_search_results.html", context)


@require_POST
@agent_required
@service_errors
def link(request, session_id):
    access = chat_access(request, session_id)
    try:
        contact = Contact.objects.get(pk=int(request.POST.get("contact", "")))
    except (Contact.DoesNotExist, ValueError):
        raise NotFound(_("No such contact.")) from None
    session_link_contact(session=access.session, contact=contact, by=request.user)
    return _panel(request, session_id)


@require_POST
@agent_required
@service_errors
def create(request, session_id):
    access = chat_access(request, session_id)
    contact_create(
        session=access.session, by=request.user,
        **{field: request.POST.get(field, "") for field in CONTACT_FIELD_LIMITS},
    )
    return _panel(request, session_id)
