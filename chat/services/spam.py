"""Cleaning up after a script that floods a channel: marking chats as spam, ending queued chats in bulk,
and blocking the address they came from for a while.

A spam chat ends like any other (its visitor sees the chat ended) but with the end reason spam, which the
workspace's lists leave out and which offers no post-chat form, so it can neither come back nor mail its
transcript anywhere.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.models import BlockedAddress, ChatSession
from chat.services.sessions import session_end_locked
from helpdesk import roles
from helpdesk.errors import Conflict, Invalid, NotAllowed, NotFound
from live import events
from live.watchers import watchers_of

# The choices of "Block address for", by the value a form sends; "" blocks nothing.
BLOCK_CHOICES = {
    "": (gettext_lazy("Do not block"), None),
    "1h": (gettext_lazy("1 hour"), timedelta(hours=1)),
    "1d": (gettext_lazy("1 day"), timedelta(days=1)),
    "7d": (gettext_lazy("7 days"), timedelta(days=7)),
    "30d": (gettext_lazy("30 days"), timedelta(days=30)),
}


def block_duration(choice: str | None) -> timedelta | None:
    """The time a form's "Block address for" names; a value no form offers is refused, not read as "never"."""
    if (choice or "") not in BLOCK_CHOICES:
        raise Invalid(_("Choose how long to block the address for."))
    return BLOCK_CHOICES[choice or ""][1]


def _block(session: ChatSession, *, block_for: timedelta | None, by) -> BlockedAddress | None:
    """Block the chat's address on its channel, or lengthen a block already in force; nothing when the chat
    has no address (started before addresses were kept) or no block was asked for."""
    if block_for is None or not session.visitor_address:
        return None
    until = timezone.now() + block_for
    block = BlockedAddress.objects.blocking(channel=session.channel_id, address=session.visitor_address).first()
    if block is None:
        return BlockedAddress.objects.create(
            channel_id=session.channel_id, address=session.visitor_address, until=until, blocked_by=by, session=session,
        )
    if block.until < until:
        block.until, block.blocked_by, block.session = until, by, session
        block.save(update_fields=["until", "blocked_by", "session"])
    return block


def _may_mark(user, session: ChatSession) -> bool:
    """A manager of the channel may mark any of its chats; an agent who can respond on it, a chat waiting in
    its queue (which any of them could answer) or their own, never a colleague's."""
    rights = roles.rights_on(user, session.channel_id)
    if rights.is_manager:
        return True
    return rights.can_respond and (session.is_queued or session.owner_id == user.pk)


@transaction.atomic
def session_mark_spam(*, session: ChatSession, by, block_for: timedelta | None = None) -> ChatSession:
    """End the chat as spam and, if asked, block its visitor's address on the channel for `block_for`."""
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if not _may_mark(by, session):
        raise NotAllowed(_("You cannot mark this chat as spam."))
    if session.is_ended:
        raise Conflict(_("This chat has already ended."))
    was_queued, watchers = session.is_queued, watchers_of(session)
    session_end_locked(session, reason=ChatSession.EndReason.SPAM, by=by)
    _block(session, block_for=block_for, by=by)
    events.push_on_commit(
        team=[events.QUEUE if was_queued else events.ONGOING], channel_ids=[session.channel_id],
        lists_of={by.pk, *watchers}, sessions=[session.pk], queues=[session.channel_id] if was_queued else [],
    )
    return session


@transaction.atomic
def queue_end_many(*, session_ids, by, spam: bool = False, block_for: timedelta | None = None) -> int:
    """A manager's "End selected" / "Mark selected as spam" on waiting chats: each chat of a channel they
    manage that is still waiting ends (as spam, blocking its address, when asked); a chat answered or ended
    meanwhile is left as it is. One push for them all, so a flood cleared at once costs one re-render.
    Returns how many ended. A chat of another channel among them is refused as not found, as its page is."""
    managed = roles.channels_where(by, "is_manager")
    if not managed:
        raise NotAllowed(_("Only a manager of the channel can end chats in the queue."))
    session_ids = set(session_ids)
    if ChatSession.objects.filter(pk__in=session_ids, channel_id__in=managed).count() != len(session_ids):
        raise NotFound(_("No such chat."))
    chosen = (
        ChatSession.objects.select_for_update()
        .filter(pk__in=session_ids, status=ChatSession.Status.QUEUED)
        .order_by("pk")
    )
    reason = ChatSession.EndReason.SPAM if spam else ChatSession.EndReason.AGENT
    ended = []
    for session in chosen:
        session_end_locked(session, reason=reason, by=by)
        if spam:
            _block(session, block_for=block_for, by=by)
        ended.append(session)
    if ended:
        channel_ids = {session.channel_id for session in ended}
        events.push_on_commit(
            team=[events.QUEUE], channel_ids=channel_ids, sessions=[session.pk for session in ended],
            queues=channel_ids,
        )
    return len(ended)
