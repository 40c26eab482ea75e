"""Watching a chat without taking part: listening mode after a hand-over, and "Can listen in"."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import ChatSession, Listener
from helpdesk import roles
from helpdesk.errors import NotAllowed
from live import events


@transaction.atomic
def listener_close_window(*, session: ChatSession, agent) -> None:
    """"Close window": the agent stops watching the chat. In listening mode it leaves their sessions list;
    a supervisor's listen-in visit ends, its row closed (each socket the panel opened left one).

    A supervisor whose visit has no open row (its socket never connected) closes the window all the same.
    """
    closed = Listener.objects.filter(session=session, agent=agent, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    if not closed and not roles.rights_on(agent, session.channel_id).can_listen_in:
        raise NotAllowed(_("You are not listening to this chat."))
    events.push_on_commit(lists_of=[agent.pk])


def listen_in_end(*, listener_id: int) -> None:
    """A supervisor's panel socket closed (another chat opened, the tab closed): the visit is over. A
    visit ended by Close window stays as it was closed."""
    Listener.objects.filter(pk=listener_id, reason=Listener.Reason.SUPERVISOR, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


@transaction.atomic
def listen_in_start(*, session: ChatSession, agent) -> Listener:
    """Open a chat read-only as a supervisor. Nobody in the chat is told; the row records the visit.

    The chat panel's socket calls it when it connects, the one way to watch a chat live."""
    if not roles.rights_on(agent, session.channel_id).can_listen_in:
        raise NotAllowed(_("You do not have the permission Can listen in."))
    return Listener.objects.create(session=session, agent=agent, reason=Listener.Reason.SUPERVISOR)
