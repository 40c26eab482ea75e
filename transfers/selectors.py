"""Reads for transfers: who a chat can go to. Each runs one query."""

from django.contrib.auth import get_user_model

from helpdesk.models import available_q


def transfer_candidates(channel_id):
    """Colleagues a chat of this channel can go to: Present, active, answering on it."""
    return (
        get_user_model()
        .objects.filter(
            available_q("agent_profile__"),
            is_active=True,
            channel_memberships__channel_id=channel_id,
            channel_memberships__can_respond=True,
        )
        .order_by("first_name", "username")
    )


def transfer_targets(session, viewer_id):
    """The candidates but the chat's owner and the person handing it over (a manager who wants the chat
    uses Take over)."""
    return transfer_candidates(session.channel_id).exclude(pk__in=[session.owner_id, viewer_id])
