"""Posting to a chat's transcript."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from chat import selectors
from chat.models import ChatSession, Message, ReadMark
from helpdesk.errors import Conflict, Invalid, NotAllowed, NotFound
from helpdesk.visible_text import visible_text
from live import events, lines
from live.watchers import watchers_of


def clean_body(body: str) -> str:
    body = visible_text(body)
    if not body:
        raise Invalid(_("Type a message first."))
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        raise Invalid(_("A message can be at most %(limit)s characters long.") % {"limit": limit})
    return body


# A new line locks its chat FOR NO KEY UPDATE (PostgreSQL; elsewhere a plain lock or none): posts to one
# chat still go one at a time, but a row that merely refers to the chat (the chat panel creating its read
# mark) is not held up. With FOR UPDATE, that mark's insert waited for the post, which waited for the same
# mark's insert: a deadlock.


@transaction.atomic
def message_post_by_visitor(*, session: ChatSession, body: str) -> Message:
    body = clean_body(body)
    session = ChatSession.objects.select_for_update(no_key=True).get(pk=session.pk)
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    message = Message.objects.create(session=session, kind=Message.Kind.VISITOR, body=body)
    line_added(session, message)
    return message


@transaction.atomic
def message_post_by_agent(*, session_id: int, agent, body: str) -> Message:
    body = clean_body(body)
    session, handed_to_author = lock_for_agent_line(session_id, agent)
    message = Message.objects.create(session=session, kind=Message.Kind.AGENT, author=agent, body=body)
    note_first_response(session, message)
    mark_written_up_to(session, agent, message)
    line_added(session, message, handed_to_author=handed_to_author)
    return message


def lock_for_agent_line(session_id: int, agent) -> tuple[ChatSession, bool]:
    """The chat an agent is about to write in, locked, and whether it was highlighted as handed to them:
    their line takes the highlight away (one UPDATE, only then). The view leaves the lookup to this one
    locking read (a 404 for no such chat)."""
    try:
        session = ChatSession.objects.select_for_update(no_key=True).get(pk=session_id)
    except ChatSession.DoesNotExist:
        raise NotFound(_("This chat does not exist.")) from None
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    if session.owner_id != agent.pk:
        raise NotAllowed(_("Only the agent who owns this chat can reply to it."))
    handed_to_author = session.handed_to_id == agent.pk
    if handed_to_author:
        session.handed_to = None
        ChatSession.objects.filter(pk=session.pk).update(handed_to=None)
    return session, handed_to_author


def note_first_response(session: ChatSession, message: Message) -> None:
    """The chat's first agent line is its first response: kept on the chat, once, for the Reports (one
    UPDATE that only an unset value lets through, so a second line never moves it)."""
    if session.first_response_at is None:
        session.first_response_at = message.created_at
        ChatSession.objects.filter(pk=session.pk, first_response_at__isnull=True).update(
            first_response_at=message.created_at
        )


def mark_written_up_to(session: ChatSession, agent, message: Message) -> None:
    """An agent has read what came before their own line: one UPDATE, as the mark exists from the chat's
    opening; else get_or_create, since the chat panel's socket may be creating it at the same moment."""
    marks = ReadMark.objects.filter(session=session, agent=agent)
    if not marks.update(last_read_message_id=message.pk):
        _mark, created = ReadMark.objects.get_or_create(
            session=session, agent=agent, defaults={"last_read_message_id": message.pk}
        )
        if not created:
            marks.update(last_read_message_id=message.pk)


def line_added(session: ChatSession, message: Message, *, handed_to_author: bool = False,
               has_file: bool = False) -> None:
    """Schedule the pushes of a new line: the chat's viewers get the line, and the agents whose sessions
    list counts it get their new count, read here once for all of them. Only visitor lines are counted, so
    an agent's own line changes only their own entry: its count is 0 now, and a chat handed to them (the
    entry highlighted until they write) loses its highlight, which needs the whole entry. A text line travels
    in its event (live/lines.py) with the id of the line before it; a file is read back."""
    if message.kind == Message.Kind.VISITOR:
        before, counts = selectors.line_before_and_unread(message, watchers_of(session))
        line = None if has_file else lines.line_event(message, before)
        events.push_line_on_commit(session.pk, line, line_id=message.pk, unread_counts=counts)
        return
    line = None if has_file else lines.line_event(message, selectors.line_before(message))
    if handed_to_author:
        events.push_line_on_commit(session.pk, line, recount_for=[message.author_id])
    else:
        events.push_line_on_commit(session.pk, line, line_id=message.pk, unread_counts={message.author_id: 0})


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
        events.push_unread_on_commit(agent_ids=[agent.pk], session_id=session.pk)
    return bool(changed)
