"""What a chat's contact panel shows to one viewer (templates/chat/partials/contact_panel.html).

The chat panel renders it and live.fragments.PANEL_LIVE_PARTIALS pushes it again on every change of the
chat, so it stays within a few queries: the contact, the viewer's rights, their chats and requests.
"""

from django.contrib.auth import get_user_model

from helpdesk import roles
from helpdesk.chat_requests import may_create_request
from helpdesk.contacts import earlier_chats, may_change_contact, requests_of, split_name, suggestions
from helpdesk.models import Contact


def panel_context(access) -> dict:
    """What the chat's contact panel and its Menu item "Create request" need, for one viewer."""
    session = access.session
    can_change = may_change_contact(session, user_id=access.viewer_id, is_manager=access.is_manager)
    first_name, last_name = split_name(session.visitor_name)
    context = {
        "contact": None,
        "contact_suggestions": [],
        "earlier_chats": [],
        "contact_requests": [],
        "can_change_contact": can_change,
        "can_create_request": may_create_request(session, user_id=access.viewer_id, is_manager=access.is_manager),
        "new_contact": {"first_name": first_name, "last_name": last_name, "email": session.visitor_email},
    }
    contact = Contact.objects.filter(pk=session.contact_id).first() if session.contact_id else None
    if contact is None:
        context["contact_suggestions"] = list(suggestions(session))
        return context
    viewer = get_user_model().objects.get(pk=access.viewer_id)
    rights = roles.rights_by_channel(viewer)
    context.update(
        contact=contact,
        earlier_chats=list(earlier_chats(contact, viewer=viewer, rights=rights, exclude_session_id=session.pk)),
        contact_requests=list(requests_of(contact, rights=rights)),
    )
    return context
