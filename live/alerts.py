"""The pop-up warning for chats that wait unanswered longer than their channel allows.

SuperOffice: "a pop-up with a warning when a chat has not been answered within a set time; you only see
it when your status is Present". So an agent is warned about a channel's chats when they are Present
and have Notifications on it, after the channel's "warning on new chat" time. A manager of the channel
gets a warning of their own ("Manager warning on new chat"), after the channel's manager time and
whatever the manager's own presence, but, as in SuperOffice, only while some agent of the channel is
Present: the warning says that the agents on duty let a chat wait, so someone can step in.

The server decides what is due: the workspace consumer pushes the due warnings and sleeps until the next
one falls due, so the browser needs no clock of its own and a Dashboard left open for hours still warns.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from chat.models import ChannelMember, ChatSession
from helpdesk import roles
from helpdesk.models import AgentProfile, available_q
from live import fragments

# The longest-waiting chats looked at; the ones behind them fall due later, when these are answered.
CANDIDATE_LIMIT = 100


@dataclass(frozen=True)
class UnansweredChat:
    session_id: int
    visitor_name: str
    channel_name: str
    waiting_since: datetime
    as_manager: bool  # the manager's own warning, not the one for agents who are Present on the channel
    can_answer: bool


@dataclass(frozen=True)
class DueAlerts:
    chats: list[UnansweredChat]
    next_due_at: datetime | None  # when the next waiting chat becomes due, if any


def _channels_with_a_present_agent(channel_ids) -> set[int]:
    return set(
        ChannelMember.objects.filter(
            available_q("user__agent_profile__"), channel_id__in=channel_ids, can_respond=True,
            user__is_active=True,
        ).values_list("channel_id", flat=True)
    )


def unanswered_alerts(user, now: datetime | None = None) -> DueAlerts:
    """The waiting chats this person should be warned about now, in at most three queries."""
    present = AgentProfile.objects.filter(user=user, status=AgentProfile.Status.PRESENT).exists()
    return unanswered_alerts_for(roles.rights_by_channel(user), present=present, now=now)


def unanswered_alerts_for(rights: dict, *, present: bool, now: datetime | None = None) -> DueAlerts:
    """The same for anyone with these channel rights and this presence: everyone of that audience gets
    the same warnings, so a workspace socket renders them once for all (live/renders.py)."""
    now = now or timezone.now()
    as_agent = {cid for cid, r in rights.items() if r.notifications and present}
    as_manager = {cid for cid, r in rights.items() if r.is_manager}
    if as_manager:
        as_manager &= _channels_with_a_present_agent(as_manager)
    if not as_agent | as_manager:
        return DueAlerts(chats=[], next_due_at=None)
    waiting = (
        # A chat that came back after it ended has waited since it came back (queued_since).
        ChatSession.objects.waiting()
        .filter(
            Q(channel_id__in=as_agent, channel__unanswered_alert_seconds__gt=0)
            | Q(channel_id__in=as_manager, channel__manager_alert_seconds__gt=0),
        )
        .values_list(
            "pk", "visitor_name", "channel_id", "channel__name", "channel__unanswered_alert_seconds",
            "channel__manager_alert_seconds", "queued_since",
        )[:CANDIDATE_LIMIT]
    )
    due, next_due_at = [], None
    for session_id, visitor_name, channel_id, channel_name, agent_seconds, manager_seconds, waiting_since in waiting:
        agent_due_at = manager_due_at = None
        if channel_id in as_agent and agent_seconds:
            agent_due_at = waiting_since + timedelta(seconds=agent_seconds)
        if channel_id in as_manager and manager_seconds:
            manager_due_at = waiting_since + timedelta(seconds=manager_seconds)
        for due_at in (agent_due_at, manager_due_at):
            if due_at is not None and due_at > now:
                next_due_at = min(next_due_at or due_at, due_at)
        # Once the manager's own warning is due it replaces the agents' one.
        as_manager_now = manager_due_at is not None and manager_due_at <= now
        if not as_manager_now and (agent_due_at is None or agent_due_at > now):
            continue
        due.append(UnansweredChat(
            session_id=session_id, visitor_name=visitor_name, channel_name=channel_name,
            waiting_since=waiting_since, as_manager=as_manager_now, can_answer=rights[channel_id].can_respond,
        ))
    return DueAlerts(chats=due, next_due_at=next_due_at)


def alerts_context(user) -> dict:
    return {"unanswered_chats": unanswered_alerts(user).chats}


def alerts_html(user, language=None) -> tuple[str, datetime | None]:
    """The #alerts fragment for this person, and when it will next change by itself."""
    return render_alerts(unanswered_alerts(user), language)


def alerts_html_for(rights: dict, *, present: bool, language=None) -> tuple[str, datetime | None]:
    return render_alerts(unanswered_alerts_for(rights, present=present), language)


def render_alerts(alerts: DueAlerts, language) -> tuple[str, datetime | None]:
    html = fragments.render_partials(["chat/partials/alerts.html"], {"unanswered_chats": alerts.chats}, language)
    return html, alerts.next_due_at
