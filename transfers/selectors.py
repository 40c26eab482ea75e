"""Reads for transfers: who a chat can go to. Each runs one query."""

from chat.selectors import present_agents


def transfer_candidates(channel_id):
    """Colleagues a chat of this channel can go to: those Present on it (active, answering on it), as the
    Dashboard lists them."""
    return present_agents([channel_id])


def transfer_targets(session, viewer_id):
    """The candidates but the chat's owner and the person handing it over (a manager who wants the chat
    uses Take over)."""
    return transfer_candidates(session.channel_id).exclude(pk__in=[session.owner_id, viewer_id])
