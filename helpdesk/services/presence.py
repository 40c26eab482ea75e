"""Whether an agent is there: Present is their choice, and a live workspace is the fact.

A workspace beats (`presence_heartbeat`) while it is open; an agent counts as Present for routing only
while they chose Present and a workspace beat within PRESENCE_GRACE_SECONDS (models.available_q), so a
browser closed without a goodbye, or a server that died, still lets go of its agent. Colleagues' screens
change when an agent chooses, when a workspace brings them back, and when the last one has been gone
for the grace period (`presence_expire_lapsed`, run every few seconds by live/sweeper.py and by the
`expire_presence` command). `shown_online` remembers what colleagues were told, so exactly one process
announces each change.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import ChannelMember
from helpdesk.errors import Invalid
from helpdesk.models import AgentProfile
from live import events

# Sent inside the transaction that makes an agent unavailable (reason AWAY or OFFLINE), so work waiting for
# them can follow it; transfers withdraw the offers made to them.
agent_left = Signal()
AWAY = "away"
OFFLINE = "offline"


def _push_presence(user_id: int) -> None:
    memberships = ChannelMember.objects.filter(user_id=user_id, can_respond=True)
    channel_ids = list(memberships.values_list("channel_id", flat=True))
    events.push_on_commit(team=[events.PRESENCE], channel_ids=channel_ids, agents=[user_id], colleagues=channel_ids)


@transaction.atomic
def presence_set(*, user, status: str) -> AgentProfile:
    if status not in AgentProfile.Status.values:
        raise Invalid(_("Choose Present or Away."))
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=user)
    if profile.status != status:
        profile.status = status
        profile.status_changed_at = timezone.now()
        profile.save(update_fields=["status", "status_changed_at"])
        if status == AgentProfile.Status.AWAY:
            agent_left.send(sender=AgentProfile, user_id=user.pk, reason=AWAY)
        _push_presence(user.pk)
    return profile


def presence_heartbeat(*, user) -> None:
    """One of the agent's workspaces is open. Colleagues hear of it only when it brings the agent back."""
    now = timezone.now()
    came_back = AgentProfile.objects.filter(user=user, shown_online=False).update(
        workspace_seen_at=now, shown_online=True
    )
    if came_back:
        _push_presence(user.pk)
    elif not AgentProfile.objects.filter(user=user).update(workspace_seen_at=now):
        AgentProfile.objects.get_or_create(user=user, defaults={"workspace_seen_at": now, "shown_online": True})


def presence_heartbeats(*, user_ids) -> None:
    """The agents whose workspaces one process holds are still there: one statement for all of them (a
    beat per socket would cost a query per workspace every few seconds), and a push only for an agent a
    sweep had taken off the lists meanwhile (their process was too busy to beat in time)."""
    now = timezone.now()
    came_back = list(
        AgentProfile.objects.filter(user_id__in=user_ids, shown_online=False).values_list("user_id", flat=True)
    )
    AgentProfile.objects.filter(user_id__in=user_ids).update(workspace_seen_at=now, shown_online=True)
    for user_id in came_back:
        _push_presence(user_id)


def presence_expire_lapsed(now=None) -> int:
    """Agents none of whose workspaces beat within the grace period: offers to them are withdrawn and
    colleagues see them go. Rows another process is handling are skipped, so each lapse is told once."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.PRESENCE_GRACE_SECONDS)
    with transaction.atomic():
        lapsed = list(
            AgentProfile.objects.select_for_update(skip_locked=True)
            .filter(Q(workspace_seen_at__lt=cutoff) | Q(workspace_seen_at__isnull=True), shown_online=True)
            .values_list("user_id", flat=True)
        )
        AgentProfile.objects.filter(user_id__in=lapsed, shown_online=True).update(shown_online=False)
        for user_id in lapsed:
            agent_left.send(sender=AgentProfile, user_id=user_id, reason=OFFLINE)
            _push_presence(user_id)
    return len(lapsed)
