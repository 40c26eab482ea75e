"""Group names and event types of the live updates, defined once.

Services call `push_on_commit`: an event goes out only after the commit it reports, so nobody is shown
a state that was rolled back. Events carry ids only; each consumer re-reads the database and renders for
its own viewer (permissions, language), so a lost event costs at most a resync on reconnect.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

TEAM_GROUP = "team"

TEAM_CHANGED = "team.changed"
AGENT_CHANGED = "agent.changed"
SESSION_CHANGED = "session.changed"
QUEUE_CHANGED = "queue.changed"
TYPING = "session.typing"

logger = logging.getLogger(__name__)

VISITOR = "visitor"
AGENT = "agent"


def agent_group(user_id: int) -> str:
    return f"agent.{user_id}"


def session_group(session_id: int) -> str:
    return f"session.{session_id}"


def queue_group(channel_id: int) -> str:
    return f"queue.{channel_id}"


def push_on_commit(*, team=False, agents=(), sessions=(), queues=(), open_session_for=()):
    """Schedule the events that tell viewers to re-render.

    open_session_for: agent ids whose workspace should show the first of `sessions` in the chat panel
    (a transfer offered to them).
    """
    messages = []
    if team:
        messages.append((TEAM_GROUP, {"type": TEAM_CHANGED}))
    opened = sessions[0] if sessions else None
    for agent_id in {a for a in agents if a} | set(open_session_for):
        event = {"type": AGENT_CHANGED}
        if agent_id in open_session_for and opened:
            event["open_session"] = opened
        messages.append((agent_group(agent_id), event))
    for session_id in set(sessions):
        messages.append((session_group(session_id), {"type": SESSION_CHANGED, "session_id": session_id}))
    for channel_id in set(queues):
        messages.append((queue_group(channel_id), {"type": QUEUE_CHANGED}))
    if messages:
        transaction.on_commit(lambda: send_now(messages))


def push_typing(*, session_id: int, typist: str, agent_id: int | None = None) -> None:
    """Tell a chat's viewers that its visitor (typist=VISITOR) or an agent (AGENT, agent_id) is typing.

    Sent at once: typing is not stored, so there is no commit to wait for. Each consumer leaves out the
    person who is typing.
    """
    send_now([(session_group(session_id), {"type": TYPING, "session_id": session_id, "typist": typist,
                                            "agent_id": agent_id})])


def send_now(messages):
    """Send, and never fail the request that caused it: its write is committed already, and an error page
    would make the person send it again (a second message, a second chat). A lost push costs a resync."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(_send_all)(layer, messages)
    except Exception:
        logger.exception("Live push failed; viewers catch up when their sockets reconnect.")


async def _send_all(layer, messages):
    for group, event in messages:
        await layer.group_send(group, event)
