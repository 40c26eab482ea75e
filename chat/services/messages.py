"""Posting to a chat's transcript."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from chat.models import ChatSession, Message, ReadMark
from helpdesk.errors import Conflict, Invalid, NotAllowed
from helpdesk.visible_text import visible_text
from live import events
from live.watchers import watchers_of


def clean_body(body: str) -> str:
    body = visible_text(body)
    if not body:
        raise Invalid(_("Type a message first."))
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        raise Invalid(_("A message can be at most %(limit)s characters long.") % {"limit": limit})
    return body


@transaction.atomic
def message_post_by_visitor(*, session: ChatSession, body: str) -> Message:
    body = clean_body(body)
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    message = Message.objects.create(session=session, kind=Message.Kind.VISITOR, body=body)
    events.push_on_commit(messages_in=[session.pk], unread_for=watchers_of(session))
    return message


@transaction.atomic
def message_post_by_agent(*, session: ChatSession, agent, body: str) -> Message:
    body = clean_body(body)
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    if session.owner_id != agent.pk:
        raise NotAllowed(_("Only the agent who owns this chat can reply to it."))
    message = Message.objects.create(session=session, kind=Message.Kind.AGENT, author=agent, body=body)
    ReadMark.objects.update_or_create(
        session=session, agent=agent, defaults={"last_read_message_id": message.pk}
    )
    events.push_on_commit(messages_in=[session.pk], unread_for=watchers_of(session))
    return message


def session_mark_read(*, session: ChatSession, agent, up_to: int | None = None, tell_workspace: bool = True) -> bool:
    """Mark everything up to the newest message (or `up_to`) as read. The chat panel's socket marks the
    lines it shows without telling the workspace (its page hides the open chat's count); opening a chat
    tells it, so the count goes."""
    newest = up_to or session.messages.order_by("-id").values_list("id", flat=True).first() or 0
    # One statement, atomic by itself: this runs for every line a chat panel shows.
    changed = ReadMark.objects.filter(session=session, agent=agent, last_read_message_id__lt=newest).update(
        last_read_message_id=newest
    )
    if not changed:
        # get_or_create, not exists-then-create: two tabs opening the chat at once both find no mark.
        _mark, changed = ReadMark.objects.get_or_create(
            session=session, agent=agent, defaults={"last_read_message_id": newest}
        )
    if changed and tell_workspace:
        events.push_on_commit(unread_for=[agent.pk], unread_in=session.pk)
    return bool(changed)
