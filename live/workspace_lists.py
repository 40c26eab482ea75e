"""The workspace's lists of chats that show where each chat stands in a transfer: the Dashboard's ongoing
chats with their waiting offer, and an agent's own chats with what is offered or handed to them. They read
chat and transfers alike, so they live here in the layer that may depend on both."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from chat.models import ChatSession, Listener, Message, ReadMark
from transfers.models import Transfer


def _count_of(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("session").annotate(n=Count("*")).values("n")[:1],
                 output_field=IntegerField()),
        Value(0),
    )


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
            handed_to_me=Case(When(handed_to=user, then=Value(True)), default=Value(False)),
            pending_to_first_name=Subquery(pending.values("to_agent__first_name")[:1]),
            pending_to_username=Subquery(pending.values("to_agent__username")[:1]),
            listening=Exists(Listener.objects.filter(
                session=OuterRef("pk"), agent=user, reason=Listener.Reason.HANDED_OVER, closed_at__isnull=True
            )),
        )
        .order_by("created_at", "id")
    )
