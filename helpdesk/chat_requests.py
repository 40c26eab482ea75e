"""Reads for "Create request" from a chat: who may, who a request can go to, and the title it starts with."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from chat.models import ChatSession
from helpdesk.contacts import may_change_contact

TITLE_MAX_LENGTH = 200


def may_create_request(session: ChatSession, *, user_id: int, is_manager: bool) -> bool:
    """Whoever may change the chat's contact, once somebody has answered the chat: a queued chat is still
    waiting for its first answer."""
    return not session.is_queued and may_change_contact(session, user_id=user_id, is_manager=is_manager)


def assignable_agents(channel_id: int):
    """The agents who answer chats on the channel: whoever may take the request on."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, channel_memberships__channel_id=channel_id, channel_memberships__can_respond=True
        )
        .order_by("first_name", "last_name", "username")
    )


def suggested_title(session: ChatSession) -> str:
    """The first line of the visitor's question, else "Chat with <name>"."""
    question = (session.question or "").strip()
    title = question.splitlines()[0] if question else _("Chat with %(name)s") % {"name": session.visitor_name}
    return title[:TITLE_MAX_LENGTH]
