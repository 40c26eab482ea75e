"""Group names and event types of the live updates, defined once, and the one way services send them.

Services call `push_on_commit`: an event goes out only after the commit it reports, so nobody is shown
a state that was rolled back. An event says what changed, narrowly enough that a socket it does not
concern does no work for it, and carries what its receivers would otherwise each read again (a queue's
order, a typist's name). A lost event costs at most a resync on reconnect: the database is the truth.
"""

import asyncio
import contextlib
import logging
import threading
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat.models import ChatSession
from helpdesk.templatetags.people import first_name, person

TEAM_GROUP = "team"

TEAM_CHANGED = "team.changed"
AGENT_CHANGED = "agent.changed"
SESSION_CHANGED = "session.changed"
QUEUE_CHANGED = "queue.changed"
COLLEAGUES_CHANGED = "colleagues.changed"
ACCOUNT_CLOSED = "account.closed"
TYPING = "session.typing"
REFETCH = "page.refetch"

# The parts of the Dashboard a team event can change; live/fragments.py maps each to its partials.
QUEUE = "queue"  # waiting chats: badge, Incoming chat, In queue, unanswered-chat alerts
ONGOING = "ongoing"  # Ongoing chat sessions
PRESENCE = "presence"  # Present agents (and the managers' alerts, which need a Present agent)
OFFLINE = "offline"  # Offline messages
TEAM_PARTS = (QUEUE, ONGOING, PRESENCE, OFFLINE)

# The agent's own parts of the workspace (live/fragments.py maps each to its partials).
SESSIONS = "sessions"  # their chats: owned, offered, listened to
RECENT = "recent"  # their recently ended chats
REQUESTS = "requests"  # the requests assigned to them: count and list
CHAT_LISTS = [SESSIONS, RECENT]

# What a session event says changed: only new lines, or anything else (status, owner, transfer, contact).
NEW_MESSAGES = "messages"
STATE = "state"
PAGES = "pages"  # the visitor opened another page of the host website (chat/services/page_views.py)

VISITOR = "visitor"
AGENT = "agent"

logger = logging.getLogger(__name__)


def agent_group(user_id: int) -> str:
    return f"agent.{user_id}"


def session_group(session_id: int) -> str:
    return f"session.{session_id}"


def queue_group(channel_id: int) -> str:
    """The visitors waiting on a channel: they are told their place in the queue."""
    return f"queue.{channel_id}"


def colleagues_group(channel_id: int) -> str:
    """Chat panels of a channel that offer "Transfer to": they follow who is Present on it."""
    return f"colleagues.{channel_id}"


def account_group(user_id: int) -> str:
    """Every socket of one person, whatever page: closed when they sign out or lose their account."""
    return f"account.{user_id}"


def new_event_id() -> str:
    """Names one event for every socket that receives it, so each process renders a shared fragment of it
    once per audience (live/renders.py)."""
    return uuid.uuid4().hex


def push_on_commit(*, team=(), channel_ids=None, agents=(), lists_of=(), sessions=(), queues=(), colleagues=(),
                   open_session_for=(), rights_of=(), signed_out=(), requests_of=()):
    """Schedule the events that tell viewers to re-render what changed (a new line, a read chat and the
    visitor's whereabouts have pushes of their own below: they are the frequent ones, and carry more).

    team: parts of the Dashboard (TEAM_PARTS) that changed on the channels `channel_ids` (None: on any);
        workspaces without rights on one of them do nothing.
    agents: agents whose own parts may all have changed (presence, chats lists, offers with a time-out):
        their workspaces read their profile and rights again.
    lists_of: agents whose chats lists (CHAT_LISTS) are all that changed of theirs, as when a chat they
        have is answered, ends or loses its visitor: their workspaces re-render those two lists only.
    sessions: chats whose state changed.
    queues: channels whose queue changed (the visitors waiting there are told their place);
    colleagues: channels whose Present agents changed ("Transfer to" in their open chats).
    open_session_for: agent ids whose workspace should show the first of `sessions` in the chat panel
        (a transfer offered to them).
    requests_of: agents whose assigned requests changed: their workspaces re-render the Requests tab only.
    rights_of: agents whose channel rights changed: their workspaces read them again.
    signed_out: people who logged out, were deactivated or changed their password: their sockets close.
    """
    messages = []
    if team:
        messages.append((TEAM_GROUP, {
            "type": TEAM_CHANGED, "parts": sorted(set(team)),
            "channel_ids": None if channel_ids is None else sorted(set(channel_ids)),
        }))
    opened = sessions[0] if sessions else None
    for agent_id in {a for a in agents if a} | set(open_session_for):
        event = {"type": AGENT_CHANGED}
        if agent_id in open_session_for and opened:
            event["open_session"] = opened
        messages.append((agent_group(agent_id), event))
    told = {a for a in agents if a}
    for agent_id in {a for a in lists_of if a} - told:
        messages.append((agent_group(agent_id), {"type": AGENT_CHANGED, "parts": list(CHAT_LISTS)}))
    for agent_id in {a for a in requests_of if a} - told:
        messages.append((agent_group(agent_id), {"type": AGENT_CHANGED, "parts": [REQUESTS]}))
    for agent_id in set(rights_of):
        messages.append((agent_group(agent_id), {"type": AGENT_CHANGED, "rights": True}))
    for user_id in set(signed_out):
        messages.append((account_group(user_id), {"type": ACCOUNT_CLOSED}))
    for session_id in set(sessions):
        messages.append((session_group(session_id), {"type": SESSION_CHANGED, "change": STATE}))
    for channel_id_ in set(colleagues):
        messages.append((colleagues_group(channel_id_), {"type": COLLEAGUES_CHANGED}))
    if messages or queues:
        transaction.on_commit(lambda: send_now(messages + _queue_events(queues)))


def push_line_on_commit(session_id, line=None, *, line_id=None, unread_counts=None, recount_for=()) -> None:
    """Schedule the pushes of a new line in one chat.

    line: the line as live/lines.py carries it, shown by the chat's sockets straight from the event (None for
        a file, which they read back).
    unread_counts: {agent id: count} for agents whose count of unread lines in the chat is all that changed,
        with the line's id (`line_id`): their workspaces render the count without reading anything.
    recount_for: agents whose entry of the chat changed more than its count (a chat handed to them loses
        its highlight with their first line): their workspaces re-render the entry.
    """
    event = {"type": SESSION_CHANGED, "change": NEW_MESSAGES}
    if line is not None:
        event["line"] = line
    messages = [(session_group(session_id), event), *_recount_events(recount_for, session_id)]
    for agent_id, count in (unread_counts or {}).items():
        if agent_id not in recount_for:
            messages.append((agent_group(agent_id), {
                "type": AGENT_CHANGED, "parts": ["unread_count"], "session_id": session_id,
                "unread": count, "line_id": line_id,
            }))
    transaction.on_commit(lambda: send_now(messages))


def push_unread_on_commit(*, agent_ids, session_id) -> None:
    """Schedule, for agents whose unread lines in this chat changed without a new line (they read them),
    their workspaces' re-render of the chat's entry."""
    messages = _recount_events(agent_ids, session_id)
    if messages:
        transaction.on_commit(lambda: send_now(messages))


def _recount_events(agent_ids, session_id) -> list:
    return [(agent_group(agent_id), {"type": AGENT_CHANGED, "parts": ["unread"], "session_id": session_id})
            for agent_id in {a for a in agent_ids if a}]


def push_pages_on_commit(session_id) -> None:
    """Schedule, for a chat whose visitor opened another page, its panels' re-render of where the visitor
    is, and nothing else."""
    messages = [(session_group(session_id), {"type": SESSION_CHANGED, "change": PAGES})]
    transaction.on_commit(lambda: send_now(messages))


def refetch_on_commit(*, groups, html: str) -> None:
    """Schedule ready HTML for every socket of these groups, shown as it is: a trigger for the page to fetch
    a part of its own again over HTTP, where that request's permissions are checked. It must hold no words
    and nobody's data, so one render serves every viewer (apps outside live/ use it, e.g. meetings/)."""
    messages = [(group, {"type": REFETCH, "html": html}) for group in set(groups)]
    if messages:
        transaction.on_commit(lambda: send_now(messages))


def _queue_events(channel_ids) -> list:
    """Each channel's waiting chats in order, read once for all its waiting visitors (one query per
    channel): a widget finds its own place in the list instead of counting the queue itself."""
    events = []
    for channel_id in set(channel_ids):
        waiting = list(ChatSession.objects.waiting().filter(channel_id=channel_id).values_list("pk", flat=True))
        events.append((queue_group(channel_id), {"type": QUEUE_CHANGED, "waiting": waiting}))
    return events


def push_typing(*, session: ChatSession, typist: str, agent=None) -> None:
    """Tell a chat's viewers that its visitor (typist=VISITOR) or an agent (AGENT) is typing.

    Sent at once: typing is not stored, so there is no commit to wait for. The event names the typist as
    each side shows them, so no receiver reads the database; each leaves out the person who is typing.
    """
    send_now([(session_group(session.pk), {
        "type": TYPING, "typist": typist, "agent_id": agent.pk if agent else None,
        "visitor_name": session.visitor_name,
        "agent_name": person(agent) if agent else "", "agent_first_name": first_name(agent) if agent else "",
    })])


_batch = threading.local()


@contextlib.contextmanager
def sent_together():
    """Hold back what send_now sends in this thread and send it all at the end, on one connection: outside
    an event loop (a management command) every send would open a loop and a Redis connection of its own."""
    _batch.messages = []
    try:
        yield
    finally:
        messages, _batch.messages = _batch.messages, None
        layer = get_channel_layer()
        if layer is not None and messages:
            async_to_sync(_send_all)(layer, messages)


def send_now(messages):
    """Send, and never fail the request that caused it: its write is committed already, and an error page
    would make the person send it again (a second message, a second chat). A lost push costs a resync."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    event_id = new_event_id()
    messages = [(group, {**event, "event_id": event_id}) for group, event in messages]
    if getattr(_batch, "messages", None) is not None:
        _batch.messages.extend(messages)
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        # Called from async code (this thread runs an event loop): send from that loop instead of blocking it.
        loop.create_task(_send_all(layer, messages))
    else:
        async_to_sync(_send_all)(layer, messages)


async def _send_all(layer, messages):
    try:
        for group, event in messages:
            await layer.group_send(group, event)
    except Exception:
        logger.exception("Live push failed; viewers catch up when their sockets reconnect.")
