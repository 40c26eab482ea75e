"""Typing indicators: a person reports that they are typing, the other side of the chat is told.

Nothing is stored (an indicator is stale in seconds), so these are not atomic and push at once. The
permission is the sender's: only someone who may write in the chat can say they are typing in it.
"""

from django.utils.translation import gettext as _

from chat.models import ChatSession
from helpdesk.errors import Conflict, NotAllowed
from live import events
from live.access import access_for


def typing_by_visitor(*, session: ChatSession) -> None:
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    events.push_typing(session=session, typist=events.VISITOR)


def typing_by_agent(*, session: ChatSession, agent) -> None:
    access = access_for(agent, session)
    if access is None or not access.can_send:
        if session.is_ended:
            raise Conflict(_("This chat has ended."))
        raise NotAllowed(_("Only the agent who owns this chat can reply to it."))
    events.push_typing(session=session, typist=events.AGENT, agent=agent)
