"""What time does to a chat when nobody acts: a waiting chat whose visitor left is abandoned, a chat nobody
writes in ends by inactivity, and, where the channel says so, the chats of an agent who is Away go back to
the queue.

`chats_time_out` finds what is due and is run by the time_out_chats command (cron) and by every process
with open sockets (live/sweeper.py), so screens change without cron and without any particular socket.
Several of them may sweep at the same moment: each change locks the chat's row and checks its condition
again under the lock, so exactly one of them makes it (and pushes it); the others find nothing to do.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from chat.models import Channel, ChatSession, Message
from chat.services import visitors
from chat.signals import offers_void
from helpdesk.models import AgentProfile
from helpdesk.services.activities import activity_record_chat
from live import events
from live.watchers import watchers_of


def chats_time_out(now=None) -> dict[str, int]:
    """Every time-out that is due, each chat changed once; how many of each this call made."""
    now = now or timezone.now()
    gone = ChatSession.objects.filter(
        Q(status=ChatSession.Status.QUEUED) | Q(status=ChatSession.Status.ACTIVE, visitor_left_at__isnull=True),
        visitor_seen_at__lt=visitors.grace_cutoff(now),
    )
    gone = list(gone.values_list("pk", "status"))
    return {
        "abandoned": sum(
            session_abandon(session_id=pk, now=now) for pk, status in gone if status == ChatSession.Status.QUEUED
        ),
        "left": sum(
            visitors.visitor_mark_left(session_id=pk, now=now) for pk, status in gone
            if status == ChatSession.Status.ACTIVE
        ),
        "inactive": sum(session_end_inactive(session_id=pk, now=now) for pk in _inactive_chats(now)),
        "requeued": sum(session_requeue_from_away_owner(session_id=pk, now=now) for pk in _chats_of_away_owners(now)),
    }


# --- A waiting chat whose visitor left ------------------------------------------------------------------


@transaction.atomic
def session_abandon(*, session_id: int, now=None) -> bool:
    """A waiting chat whose widget has been gone for the grace period leaves the queue, ended as abandoned
    (never answered): nobody should pick up a chat nobody is in. False when it was answered, ended, its
    visitor seen again, or another process got there first."""
    now = now or timezone.now()
    session = ChatSession.objects.select_for_update().filter(
        pk=session_id, status=ChatSession.Status.QUEUED, visitor_seen_at__lt=visitors.grace_cutoff(now)
    ).first()
    if session is None:
        return False
    session.visitor_left_at = now
    _end_by_time(session, reason=ChatSession.EndReason.ABANDONED, event=Message.Event.CHAT_ABANDONED, now=now)
    return True


# --- Inactivity -----------------------------------------------------------------------------------------


def _silent_since(cutoff):
    """No line since the cutoff: neither side wrote, and nothing happened (an agent joining after a
    transfer, a reactivation) that starts the clock again."""
    return ~Exists(Message.objects.filter(session=OuterRef("pk"), created_at__gte=cutoff))


def _inactive_chats(now) -> list[int]:
    """Active chats silent for their channel's time: one query per channel that has a time-out."""
    due = []
    timeouts = Channel.objects.filter(inactivity_timeout_minutes__gt=0).values_list("pk", "inactivity_timeout_minutes")
    for channel_id, minutes in timeouts:
        cutoff = now - timedelta(minutes=minutes)
        due += ChatSession.objects.filter(
            _silent_since(cutoff), channel_id=channel_id, status=ChatSession.Status.ACTIVE, created_at__lt=cutoff,
        ).values_list("pk", flat=True)
    return due


@transaction.atomic
def session_end_inactive(*, session_id: int, now=None) -> bool:
    """End a chat in which nobody has written for its channel's inactivity time-out. Both sides get a line
    saying so and it moves to Recent chat sessions. False when someone wrote meanwhile (the lock makes a
    line being posted either come first, and count, or find the chat ended) or it ended already."""
    now = now or timezone.now()
    session = ChatSession.objects.select_for_update(of=("self",)).select_related("channel").filter(
        pk=session_id, status=ChatSession.Status.ACTIVE
    ).first()
    minutes = session.channel.inactivity_timeout_minutes if session else 0
    if not minutes:
        return False
    cutoff = now - timedelta(minutes=minutes)
    if not ChatSession.objects.filter(_silent_since(cutoff), pk=session.pk, created_at__lt=cutoff).exists():
        return False
    _end_by_time(session, reason=ChatSession.EndReason.INACTIVITY, event=Message.Event.CHAT_INACTIVE, now=now)
    return True


def _end_by_time(session: ChatSession, *, reason, event, now) -> None:
    """End a chat nobody ended (session_end is the ending by a person); its waiting offer times out with
    it (offers_void)."""
    was_queued = session.is_queued
    watchers = watchers_of(session)
    offers_void.send(sender=ChatSession, session=session, now=now, by=None, timed_out=True)
    session.status, session.ended_at, session.end_reason = ChatSession.Status.ENDED, now, reason
    session.save(update_fields=["status", "ended_at", "end_reason", "visitor_left_at"])
    Message.objects.create(session=session, kind=Message.Kind.EVENT, event=event)
    activity_record_chat(session=session)
    events.push_on_commit(
        team=[events.QUEUE if was_queued else events.ONGOING], channel_ids=[session.channel_id], lists_of=watchers,
        sessions=[session.pk], queues=[session.channel_id] if was_queued else [],
    )


# --- An owner who is Away -------------------------------------------------------------------------------


def owner_unavailable_since(profile: AgentProfile | None):
    """Since when a chat's owner has not been there to answer it, or None while they are.

    The one place that says what "Away or offline" means for the chats an agent holds: Away since they
    chose it; Present without a live workspace since it was last seen plus the grace period.
    """
    if profile is None:
        return None
    if profile.status != AgentProfile.Status.PRESENT:
        return profile.status_changed_at
    if profile.is_available:
        return None
    if profile.workspace_seen_at is None:
        return profile.status_changed_at
    return profile.workspace_seen_at + timedelta(seconds=settings.PRESENCE_GRACE_SECONDS)


def _owner_since():
    """When the chat's owner got it (answered it, or had it handed over): the newest "joined" line of theirs."""
    return Subquery(
        Message.objects.filter(session=OuterRef("pk"), event=Message.Event.AGENT_JOINED, author=OuterRef("owner"))
        .order_by("-id").values("created_at")[:1]
    )


def _requeue_due_at(session: ChatSession, profile: AgentProfile | None, owner_since):
    """When the chat goes back to the queue: its channel's minutes after the owner stopped being available,
    or after they got the chat if they were away already (a manager who is Away taking a chat over)."""
    since = owner_unavailable_since(profile)
    if since is None:
        return None
    if owner_since is not None:
        since = max(since, owner_since)
    return since + timedelta(minutes=session.channel.away_owner_requeue_minutes)


def _chats_of_away_owners(now) -> list[int]:
    """Active chats on channels that return them, whose owner has been away long enough; in one query (the
    owners' presence is judged in Python, by owner_unavailable_since)."""
    candidates = (
        ChatSession.objects.filter(status=ChatSession.Status.ACTIVE, channel__away_owner_requeue_minutes__gt=0)
        .select_related("channel", "owner__agent_profile")
        .annotate(owner_since=_owner_since())
    )
    due = []
    for session in candidates:
        due_at = _requeue_due_at(session, getattr(session.owner, "agent_profile", None), session.owner_since)
        if due_at is not None and due_at <= now:
            due.append(session.pk)
    return due


@transaction.atomic
def session_requeue_from_away_owner(*, session_id: int, now=None) -> bool:
    """Return an Away agent's chat to the queue, first in line, where its channel says so; the visitor is
    told in the transcript. A waiting offer of the chat times out. False when the owner is back, the chat
    changed hands or ended, or another process returned it first."""
    now = now or timezone.now()
    session = (
        ChatSession.objects.select_for_update(of=("self",)).select_related("channel", "owner")
        .filter(pk=session_id, status=ChatSession.Status.ACTIVE, channel__away_owner_requeue_minutes__gt=0)
        .annotate(owner_since=_owner_since()).first()
    )
    if session is None:
        return False
    profile = AgentProfile.objects.filter(user_id=session.owner_id).first()
    due_at = _requeue_due_at(session, profile, session.owner_since)
    if due_at is None or due_at > now:
        return False
    watchers = watchers_of(session)
    away_owner = session.owner
    offers_void.send(sender=ChatSession, session=session, now=now, by=None, timed_out=True)
    session.status, session.owner, session.requeued_at = ChatSession.Status.QUEUED, None, now
    session.save(update_fields=["status", "owner", "requeued_at"])
    Message.objects.create(
        session=session, kind=Message.Kind.EVENT, event=Message.Event.BACK_IN_QUEUE, author=away_owner
    )
    events.push_on_commit(
        team=[events.QUEUE, events.ONGOING], channel_ids=[session.channel_id], lists_of=watchers,
        sessions=[session.pk], queues=[session.channel_id],
    )
    return True
