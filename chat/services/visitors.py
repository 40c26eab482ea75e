"""Whether a chat's visitor is still there: the widget's heartbeat, and "Visitor left" on the agent's screen.

While a widget's socket is open its chat's `visitor_seen_at` is renewed (live/sweeper.py, every socket of
a process in one statement). Nothing waits for a disconnect to say the visitor went: a server that dies
skips it. A heartbeat older than PRESENCE_GRACE_SECONDS means the visitor left; the sweep in
chat/services/timeouts.py then marks an answered chat (here) or ends a waiting one as abandoned.

The heartbeat and the sweep run at once in several processes. Each UPDATE carries its own condition
(renew only a visitor not marked as left, mark only one whose heartbeat is old), so whichever commits
second finds the row changed, changes nothing and pushes nothing; a renewal that finds its visitor marked
as left brings them back instead.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.models import ChatSession
from live import events
from live.watchers import watchers_of


def grace_cutoff(now=None):
    """A visitor whose widget was last seen before this has left."""
    return (now or timezone.now()) - timedelta(seconds=settings.PRESENCE_GRACE_SECONDS)


def visitors_seen(*, session_ids) -> None:
    """The widgets of these chats are open: their visitors are here now. One statement for all of them,
    unless one was shown as left meanwhile: that visitor has come back, and their agents are told."""
    session_ids = set(session_ids)
    renewed = ChatSession.objects.filter(pk__in=session_ids, visitor_left_at__isnull=True).update(
        visitor_seen_at=timezone.now()
    )
    if renewed < len(session_ids):
        back = ChatSession.objects.filter(pk__in=session_ids, visitor_left_at__isnull=False)
        for session_id in list(back.values_list("pk", flat=True)):
            visitor_returned(session_id=session_id)


def visitor_gone(*, session_id: int) -> None:
    """The widget's socket closed: its grace period counts from now, not from its last heartbeat. A server
    that dies skips this, and the last heartbeat counts instead."""
    ChatSession.objects.filter(pk=session_id, visitor_left_at__isnull=True).update(visitor_seen_at=timezone.now())


@transaction.atomic
def visitor_returned(*, session_id: int) -> bool:
    """A visitor shown as left has their widget open again: "Visitor left" goes. False when another socket
    or process brought them back first."""
    returned = ChatSession.objects.filter(pk=session_id, visitor_left_at__isnull=False).update(
        visitor_left_at=None, visitor_seen_at=timezone.now()
    )
    if returned:
        _push_visitor(ChatSession.objects.get(pk=session_id))
    return bool(returned)


@transaction.atomic
def visitor_mark_left(*, session_id: int, now=None) -> bool:
    """The widget of an answered chat has been gone for the grace period: its agents see "Visitor left".
    False when the visitor was seen again, the chat ended, or another process marked it first."""
    now = now or timezone.now()
    marked = ChatSession.objects.filter(
        pk=session_id, status=ChatSession.Status.ACTIVE, visitor_left_at__isnull=True,
        visitor_seen_at__lt=grace_cutoff(now),
    ).update(visitor_left_at=now)
    if marked:
        _push_visitor(ChatSession.objects.get(pk=session_id))
    return bool(marked)


def _push_visitor(session: ChatSession) -> None:
    """The chat panel's header and the sessions list entries of the agents who watch the chat."""
    events.push_on_commit(sessions=[session.pk], lists_of=watchers_of(session))
