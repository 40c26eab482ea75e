"""Reads for the workspace and the widget. Each runs a fixed number of queries, however many chats exist."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from chat.models import ChatSession, Listener, Message, ReadMark, looks_like_token
from helpdesk.errors import Gone, NotFound
from helpdesk.models import Request, available_q
from transfers.models import Transfer

LIST_LIMIT = 50


def _count_of(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("session").annotate(n=Count("*")).values("n")[:1],
                 output_field=IntegerField()),
        Value(0),
    )


def visitor_session(*, token, slug=None):
    """The chat a visitor's token names (on the widget of `slug`, when given), for every widget request and
    socket. An unknown token is NotFound; one whose chat ended longer ago than its channel keeps the link
    is Gone, so the widget starts afresh either way."""
    if not looks_like_token(token):  # a NUL byte, say, would fail the query on PostgreSQL
        raise NotFound(_("This chat does not exist."))
    sessions = ChatSession.objects.select_related("channel", "owner").filter(token=token)
    if slug is not None:
        sessions = sessions.filter(channel__slug=slug)
    session = sessions.first()
    if session is None:
        raise NotFound(_("This chat does not exist."))
    if session.visitor_link_has_expired():
        raise Gone(_("This chat ended a while ago and can no longer be opened. You can start a new chat."))
    return session


def incoming_chats(channel_ids):
    """Waiting chats on these channels (those the viewer can answer), oldest first."""
    return ChatSession.objects.waiting().filter(channel_id__in=channel_ids).select_related("channel")


def ongoing_sessions(channel_ids):
    """Active chats on these channels, with their owner and any waiting transfer."""
    pending = Transfer.objects.filter(session=OuterRef("pk"), status=Transfer.Status.PENDING)
    return (
        ChatSession.objects.filter(channel_id__in=channel_ids, status=ChatSession.Status.ACTIVE)
        .select_related("channel", "owner")
        .annotate(
            pending_to_first_name=Subquery(pending.values("to_agent__first_name")[:1]),
            pending_to_username=Subquery(pending.values("to_agent__username")[:1]),
        )
        .order_by("answered_at", "id")
    )


def present_agents(channel_ids):
    """Present agents of these channels."""
    return (
        get_user_model()
        .objects.filter(
            available_q("agent_profile__"),
            is_active=True,
            channel_memberships__channel_id__in=channel_ids,
            channel_memberships__can_respond=True,
        )
        .distinct()
        .order_by("first_name", "username")
    )


def _handed_to(user):
    """Hand-overs that gave the user a chat without asking them first (a channel where transfers need no
    acceptance), still the chat's newest, and before the user has written in it: until then the chat is
    highlighted in their sessions list, as an offer is."""
    later_hand_over = Transfer.objects.filter(
        session=OuterRef("session"), status=Transfer.Status.ACCEPTED, id__gt=OuterRef("id")
    )
    written_since = Message.objects.filter(
        session=OuterRef("session"), kind=Message.Kind.AGENT, author=user, created_at__gte=OuterRef("decided_at")
    )
    return Transfer.objects.filter(
        session=OuterRef("pk"), kind=Transfer.Kind.REASSIGN, status=Transfer.Status.ACCEPTED, to_agent=user
    ).exclude(Exists(later_hand_over)).exclude(Exists(written_since))


def sessions_list(user):
    """The user's own chats: owned, listening after a hand-over, and offered to them; with unread counts."""
    listening = Listener.objects.filter(
        agent=user, reason=Listener.Reason.HANDED_OVER, closed_at__isnull=True
    ).values("session_id")
    offered = Transfer.objects.filter(to_agent=user, status=Transfer.Status.PENDING).values("session_id")
    pending = Transfer.objects.filter(session=OuterRef("pk"), status=Transfer.Status.PENDING)
    read_up_to = Coalesce(
        Subquery(ReadMark.objects.filter(session=OuterRef(OuterRef("pk")), agent=user)
                 .values("last_read_message_id")[:1]),
        Value(0),
    )
    unread = Message.objects.filter(session=OuterRef("pk"), kind=Message.Kind.VISITOR, id__gt=read_up_to)
    return (
        ChatSession.objects.filter(
            Q(owner=user, status=ChatSession.Status.ACTIVE) | Q(pk__in=listening) | Q(pk__in=offered)
        )
        .select_related("channel", "owner")
        .annotate(
            unread=_count_of(unread),
            offered_to_me=Exists(pending.filter(to_agent=user)),
            handed_to_me=Exists(_handed_to(user)),
            pending_to_first_name=Subquery(pending.values("to_agent__first_name")[:1]),
            pending_to_username=Subquery(pending.values("to_agent__username")[:1]),
            listening=Exists(Listener.objects.filter(
                session=OuterRef("pk"), agent=user, reason=Listener.Reason.HANDED_OVER, closed_at__isnull=True
            )),
        )
        .order_by("created_at", "id")
    )


def line_before_and_unread(message, agent_ids) -> tuple[int, dict[int, int]]:
    """For a new visitor line: the id of the chat's line before it (0 for its first; see line_before), and
    each agent's count of unread visitor lines as their sessions list shows it. One aggregate over the
    chat's lines whatever the number of agents, each agent's read mark a subquery of its own, so the line's
    event carries the counts instead of each workspace reading its whole list again."""
    def unread(agent_id):
        mark = ReadMark.objects.filter(session_id=message.session_id, agent_id=agent_id)
        return Count("pk", filter=Q(kind=Message.Kind.VISITOR, pk__gt=Coalesce(
            Subquery(mark.values("last_read_message_id")[:1]), 0)))

    agent_ids = sorted(set(agent_ids))
    figures = Message.objects.filter(session_id=message.session_id).aggregate(
        before=Max("pk", filter=Q(pk__lt=message.pk)),
        **{f"agent_{agent_id}": unread(agent_id) for agent_id in agent_ids},
    )
    return figures["before"] or 0, {agent_id: figures[f"agent_{agent_id}"] for agent_id in agent_ids}


def is_handed_to(session, user) -> bool:
    """Whether the chat is highlighted in the user's sessions list as handed to them (_handed_to): their
    next line in it takes the highlight away, so only then does their own entry change. Asked before every
    agent line, so in the terms of the chat's newest accepted transfer, a query of its own that most chats
    answer with nothing; _handed_to's subqueries cost several times more to build."""
    newest = Transfer.objects.filter(session=session, status=Transfer.Status.ACCEPTED).order_by("-id")
    handed = newest.values_list("kind", "to_agent_id", "decided_at").first()
    if handed is None or handed[0] != Transfer.Kind.REASSIGN or handed[1] != user.pk:
        return False
    return not Message.objects.filter(
        session=session, kind=Message.Kind.AGENT, author=user, created_at__gte=handed[2]
    ).exists()


def recent_sessions(user, limit=20):
    """Ended chats the user owned or listened to, newest first; not those marked as spam, which would push
    the real ones out of the list."""
    took_part = Listener.objects.filter(agent=user, reason=Listener.Reason.HANDED_OVER).values("session_id")
    return (
        ChatSession.objects.filter(Q(owner=user) | Q(pk__in=took_part), status=ChatSession.Status.ENDED)
        .exclude(end_reason=ChatSession.EndReason.SPAM)
        .select_related("channel", "owner")
        .order_by("-ended_at", "-id")[:limit]
    )


def offline_requests(channel_ids, limit=20):
    return (
        Request.objects.filter(channel_id__in=channel_ids, source=Request.Source.OFFLINE_FORM)
        .select_related("channel", "assigned_to")
        .order_by("-created_at")[:limit]
    )


def transfer_candidates(channel_id):
    """Colleagues a chat of this channel can go to: Present, active, answering on it."""
    return (
        get_user_model()
        .objects.filter(
            available_q("agent_profile__"),
            is_active=True,
            channel_memberships__channel_id=channel_id,
            channel_memberships__can_respond=True,
        )
        .order_by("first_name", "username")
    )


def transfer_targets(session, viewer_id):
    """The candidates but the chat's owner and the person handing it over (a manager who wants the chat
    uses Take over)."""
    return transfer_candidates(session.channel_id).exclude(pk__in=[session.owner_id, viewer_id])


def transcript(session, after_id=0):
    """With each line's author and file in the same query; a line without a file has `attachment` cached as
    missing, so templates test it without a query of their own."""
    return session.messages.filter(id__gt=after_id).select_related("author", "attachment").order_by("id")


def line_before(message) -> int:
    """The id of the chat's line before this one (0 for its first): a socket that shows that line can show
    this one straight from its event (live/lines.py)."""
    earlier = Message.objects.filter(session_id=message.session_id, pk__lt=message.pk).order_by("-pk")
    return earlier.values_list("pk", flat=True).first() or 0


def transfer_history(session):
    return session.transfers.select_related("from_agent", "to_agent", "requested_by", "decided_by").order_by(
        "created_at", "id"
    )


def queue_position(session) -> int:
    """1 for the next chat to be answered: the chat's place in its channel's queue, read in the order of
    the one definition of it (ChatSessionQuerySet.waiting), in one query."""
    waiting = list(ChatSession.objects.waiting().filter(channel_id=session.channel_id).values_list("pk", flat=True))
    return waiting.index(session.pk) + 1 if session.pk in waiting else len(waiting) + 1
