"""Who watches a chat from their own sessions list: the agents a change in it must reach."""

from chat.models import ChatSession, Listener
from transfers.models import Transfer


def watchers_of(session: ChatSession) -> set[int]:
    """The owner, agents listening after a hand-over, and the colleague a transfer is waiting for; in one
    query besides the chat itself."""
    listening = Listener.objects.filter(
        session=session, closed_at__isnull=True, reason=Listener.Reason.HANDED_OVER
    ).order_by().values_list("agent_id")
    offered_to = Transfer.objects.filter(
        session=session, status=Transfer.Status.PENDING
    ).order_by().values_list("to_agent_id")
    agent_ids = {agent_id for (agent_id,) in listening.union(offered_to)}
    if session.owner_id:
        agent_ids.add(session.owner_id)
    return agent_ids
