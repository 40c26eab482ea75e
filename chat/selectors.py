"""Reads for the workspace and the widget. Each runs a fixed number of queries, however many chats exist."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from chat.models import ChatSession, Listener, Message, ReadMark, looks_like_token
from helpdesk.errors import Gone, NotFound
from helpdesk.models import Request, available_q

LIST_LIMIT = 50


def visitor_session(*, token, slug=None):
    """The chat a visitor's token names (on the widget of `slug`, when given), for every widget request and
    socket. An unknown token is NotFound; one whose chat ended longer ago than its channel keeps the link
    is Gone, so the widget starts afresh either way."""
    if not looks_like_token(token):  # a NUL byte, say, would fail the query on PostgreSQL
        raise NotFound(_("This chat does not exist."))
    # By the unique token alone, the widget's channel compared here: a filter across the join and first()'s
    # ordering made this read, which every widget request and line makes, a third dearer to build.
    try:
        session = ChatSession.objects.select_related("channel", "owner").get(token=token)
    except ChatSession.DoesNotExist:
        raise NotFound(_("This chat does not exist.")) from None
    if slug is not None and session.channel.slug != slug:
        raise NotFound(_("This chat does not exist."))
    if session.visitor_link_has_expired():
        raise Gone(_("This chat ended a while ago and can no longer be opened. You can start a new chat."))
    return session


def incoming_chats(channel_ids):
    """Waiting chats on these channels (those the viewer can answer), oldest first."""
    return ChatSession.objects.waiting().filter(channel_id__in=channel_ids).select_related("channel")


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


def line_before_and_unread(message, agent_ids) -> tuple[int, dict[int, int]]:
    """For a new line: the id of the chat's line before it (0 for its first), and each agent's count of
    unread visitor lines as their sessions list shows it. One aggregate over the chat's lines whatever the
    number of agents, each agent's read mark a subquery of its own, so the line's event carries the counts
    instead of each workspace reading its whole list again.

    Written in SQL, not the ORM: every line runs it, and Django took 1.3 ms to build it (an aggregate of
    subqueries, their aliases relabelled) where the database needs a tenth of that to run it."""
    agent_ids = sorted(set(agent_ids))
    message_table, mark_table = Message._meta.db_table, ReadMark._meta.db_table
    unread = "".join(
        f", COUNT(CASE WHEN kind = %s AND id > COALESCE((SELECT last_read_message_id FROM {mark_table}"
        f" WHERE session_id = %s AND agent_id = %s), 0) THEN 1 END)"
        for _agent_id in agent_ids
    )
    params = [message.pk]
    for agent_id in agent_ids:
        params += [Message.Kind.VISITOR.value, message.session_id, agent_id]
    params.append(message.session_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(CASE WHEN id < %s THEN id END){unread} FROM {message_table} WHERE session_id = %s", params
        )
        before, *counts = cursor.fetchone()
    return before or 0, dict(zip(agent_ids, counts, strict=True))


def line_before(message) -> int:
    """The id of the chat's line before this one (0 for its first): a socket that shows that line can show
    this one straight from its event (live/lines.py)."""
    return line_before_and_unread(message, ())[0]


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


def transcript(session, after_id=0):
    """With each line's author and file in the same query; a line without a file has `attachment` cached as
    missing, so templates test it without a query of their own."""
    return session.messages.filter(id__gt=after_id).select_related("author", "attachment").order_by("id")


def transfer_history(session):
    return session.transfers.select_related("from_agent", "to_agent", "requested_by", "decided_by").order_by(
        "created_at", "id"
    )


def queue_position(session) -> int:
    """1 for the next chat to be answered: the chat's place in its channel's queue, read in the order of
    the one definition of it (ChatSessionQuerySet.waiting), in one query."""
    waiting = list(ChatSession.objects.waiting().filter(channel_id=session.channel_id).values_list("pk", flat=True))
    return waiting.index(session.pk) + 1 if session.pk in waiting else len(waiting) + 1
