"""A chat's life: started by a visitor, queued, answered by an agent, ended by either side."""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import BlockedAddress, Channel, ChatSession, Message, looks_like_token
from chat.services.messages import clean_body
from chat.signals import offers_void
from helpdesk import roles
from helpdesk.errors import Conflict, NotAllowed
from helpdesk.models import AgentProfile, available_q
from helpdesk.services.activities import activity_record_chat
from helpdesk.services.contacts import clean_visitor_email, clean_visitor_name
from helpdesk.templatetags.people import person
from helpdesk.visible_text import visible_text
from live import events
from live.watchers import watchers_of


class Offline(Conflict):
    """No agent is Present on the channel: the visitor gets the offline form instead."""


class Blocked(NotAllowed):
    """The visitor's address was blocked on this channel after a chat from it was marked as spam."""


class QueueFull(Offline):
    """The queue holds as many chats as the channel allows: new visitors get the offline form too."""


def channel_is_online(channel: Channel) -> bool:
    return AgentProfile.objects.filter(
        available_q(),
        user__is_active=True,
        user__channel_memberships__channel=channel,
        user__channel_memberships__can_respond=True,
    ).exists()


def queue_is_full(channel: Channel) -> bool:
    """The channel's cap on waiting chats is reached. It bounds what a flood from many addresses, which no
    per-address throttle sees, does to the agents' lists and to the real visitors' place in the queue. Two
    visitors starting at the same moment may both get in: the cap is a bound, not an exact count."""
    cap = channel.max_queued_chats
    return bool(cap) and ChatSession.objects.filter(channel=channel, status=ChatSession.Status.QUEUED).count() >= cap


def _started_with(channel: Channel, start_key: str) -> ChatSession | None:
    return ChatSession.objects.filter(channel=channel, start_key=start_key).first() if start_key else None


@transaction.atomic
def session_start(*, channel: Channel, visitor_name: str, visitor_email: str = "", question: str = "",
                  language: str = "en", start_key: str = "", visitor_address: str | None = None) -> ChatSession:
    """Start a chat from the pre-chat form. `start_key` is the form's own random key: a second submit of the
    same form (a double click, a retry after a lost answer) returns the chat the first one started."""
    if visitor_address and BlockedAddress.objects.blocking(channel=channel, address=visitor_address).exists():
        raise Blocked(_("Chats from your address are blocked for now. Please try again later."))
    start_key = start_key if looks_like_token(start_key) else ""
    if (started := _started_with(channel, start_key)) is not None:
        return started
    visitor_name = clean_visitor_name(visitor_name)
    visitor_email = clean_visitor_email(visitor_email)
    question = clean_body(question) if visible_text(question) else ""
    if not channel_is_online(channel):
        raise Offline(_("No agent is available right now."))
    if queue_is_full(channel):
        raise QueueFull(_("All our agents are busy right now."))
    try:
        with transaction.atomic():
            session = ChatSession.objects.create(
                channel=channel, visitor_name=visitor_name, visitor_email=visitor_email, question=question,
                visitor_language=language, start_key=start_key, visitor_address=visitor_address or None,
            )
    except IntegrityError:
        return _started_with(channel, start_key)  # the same form's other submit got there first
    if question:
        Message.objects.create(session=session, kind=Message.Kind.VISITOR, body=question)
    events.push_on_commit(team=[events.QUEUE], channel_ids=[channel.pk], queues=[channel.pk])
    return session


def _claim(session_id: int, agent) -> bool:
    """Turn a queued chat into the agent's active chat, unless someone else got there first.

    The status condition in the UPDATE makes this race-free on every database: of two agents claiming
    the same chat, exactly one UPDATE changes a row.
    """
    now = timezone.now()
    claimed = ChatSession.objects.filter(pk=session_id, status=ChatSession.Status.QUEUED).update(
        status=ChatSession.Status.ACTIVE, owner=agent, answered_at=now
    )
    if claimed:
        Message.objects.create(
            session_id=session_id, kind=Message.Kind.EVENT, event=Message.Event.AGENT_JOINED, author=agent
        )
    return bool(claimed)


def _pushed_claim(session: ChatSession, agent) -> ChatSession:
    session.refresh_from_db()
    events.push_on_commit(
        team=[events.QUEUE, events.ONGOING], channel_ids=[session.channel_id], lists_of=[agent.pk], sessions=[session.pk],
        queues=[session.channel_id],
    )
    return session


@transaction.atomic
def session_answer(*, session: ChatSession, agent) -> ChatSession:
    """Answer one particular waiting chat (double-click on "Incoming chat")."""
    if not roles.rights_on(agent, session.channel_id).can_respond:
        raise NotAllowed(_("You cannot respond to chats on this channel."))
    if not _claim(session.pk, agent):
        session.refresh_from_db()
        if session.is_ended:
            raise Conflict(_("The visitor left before anyone answered."))
        raise Conflict(_("%(name)s already answered this chat.") % {"name": person(session.owner)})
    return _pushed_claim(session, agent)


@transaction.atomic
def queue_take_next(*, agent) -> ChatSession | None:
    """"Get next in queue": the chat that has waited longest on the agent's channels, or None when none waits."""
    channel_ids = roles.channels_where(agent, "can_respond")
    waiting = ChatSession.objects.waiting().filter(channel_id__in=channel_ids)
    if connection.features.has_select_for_update_skip_locked:
        # Lock only the one chat this agent takes, and let a colleague asking at the same moment walk
        # past it to the next one. Locking all candidates would tell that colleague nobody is waiting.
        waiting = waiting.select_for_update(skip_locked=True)[:1]
    else:
        waiting = waiting[:20]
    for session in waiting:
        if _claim(session.pk, agent):
            return _pushed_claim(session, agent)
    return None


@transaction.atomic
def session_end(*, session: ChatSession, agent=None, by_visitor: bool = False) -> ChatSession:
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if not by_visitor:
        rights = roles.rights_on(agent, session.channel_id)
        if session.owner_id != agent.pk and not rights.is_manager:
            raise NotAllowed(_("Only the agent who owns this chat can end it."))
    if session.is_ended:
        raise Conflict(_("This chat has already ended."))
    was_queued, watchers = session.is_queued, watchers_of(session)
    reason = ChatSession.EndReason.VISITOR if by_visitor else ChatSession.EndReason.AGENT
    session_end_locked(session, reason=reason, by=None if by_visitor else agent)
    events.push_on_commit(
        team=[events.QUEUE if was_queued else events.ONGOING], channel_ids=[session.channel_id], lists_of=watchers,
        sessions=[session.pk], queues=[session.channel_id] if was_queued else [],
    )
    return session


def session_end_locked(session: ChatSession, *, reason: str, by=None) -> None:
    """End a chat the caller has locked (select_for_update) and checked: its waiting transfer is cancelled
    (offers_void), the transcript says so, and the contact's activity keeps it; a spam chat is no contact's
    history. The caller pushes, once for however many chats it ends."""
    now = timezone.now()
    offers_void.send(sender=ChatSession, session=session, now=now, by=by, timed_out=False)
    session.status = ChatSession.Status.ENDED
    session.ended_at = now
    session.end_reason = reason
    session.save(update_fields=["status", "ended_at", "end_reason"])
    Message.objects.create(session=session, kind=Message.Kind.EVENT, event=Message.Event.CHAT_ENDED, author=by)
    if reason != ChatSession.EndReason.SPAM:
        activity_record_chat(session=session, by=by)


def _present_on_channel(user_id, channel: Channel) -> bool:
    return AgentProfile.objects.filter(
        available_q(),
        user_id=user_id,
        user__is_active=True,
        user__channel_memberships__channel=channel,
        user__channel_memberships__can_respond=True,
    ).exists()


@transaction.atomic
def session_reactivate(*, session: ChatSession) -> ChatSession:
    """"Return to chat" in the post-chat form: back to the agent who had the chat if they are Present,
    else into the queue like a new chat. With nobody Present it is refused, as a new chat would be."""
    session = ChatSession.objects.select_for_update().select_related("channel").get(pk=session.pk)
    if not session.channel.post_chat_form or session.is_spam:
        raise Conflict(_("This chat cannot be reactivated."))
    if not session.is_ended:
        raise Conflict(_("This chat has not ended."))
    last_owner_id = session.owner_id
    back_to_owner = last_owner_id is not None and _present_on_channel(last_owner_id, session.channel)
    if not back_to_owner and not channel_is_online(session.channel):
        raise Offline(_("No agent is available right now. Start a new chat to leave us a message."))
    if not back_to_owner and queue_is_full(session.channel):
        raise QueueFull(_("All our agents are busy right now. Start a new chat to leave us a message."))
    if back_to_owner:
        session.status = ChatSession.Status.ACTIVE
    else:
        session.status, session.owner = ChatSession.Status.QUEUED, None
    session.ended_at, session.end_reason = None, ""
    session.reactivated_at = session.visitor_seen_at = timezone.now()  # the visitor asked, so they are here
    session.save(update_fields=["status", "owner", "ended_at", "end_reason", "reactivated_at", "visitor_seen_at"])
    Message.objects.create(session=session, kind=Message.Kind.EVENT, event=Message.Event.CHAT_REACTIVATED)
    events.push_on_commit(
        team=[events.ONGOING if back_to_owner else events.QUEUE], channel_ids=[session.channel_id],
        lists_of={last_owner_id, *watchers_of(session)}, sessions=[session.pk],
        queues=[] if back_to_owner else [session.channel_id],
    )
    return session
