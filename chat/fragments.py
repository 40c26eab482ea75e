"""The workspace's live fragments: what each shows, for one viewer.

A page includes these partials and a consumer pushes the very same ones (the htmx ws extension swaps
them in by id), so the first render and every live update cannot drift apart.
"""

from django.template.loader import render_to_string
from django.utils import translation

from chat import selectors
from chat.access import access_for
from helpdesk import contact_panel, roles
from helpdesk.models import AgentProfile

TEAM_PARTIALS = [
    "chat/partials/incoming_badge.html",
    "chat/partials/incoming_list.html",
    "chat/partials/queue_count.html",
    "chat/partials/ongoing_sessions.html",
    "chat/partials/present_agents.html",
    "chat/partials/offline_requests.html",
]
AGENT_PARTIALS = [
    "chat/partials/presence_toggle.html",
    "chat/partials/sessions_list.html",
    "chat/partials/recent_sessions.html",
]
PANEL_LIVE_PARTIALS = [
    "chat/partials/panel_header.html",
    "chat/partials/transfer_bar.html",
    "chat/partials/transfer_history.html",
    "helpdesk/partials/contact_card.html",
]


def team_context(user) -> dict:
    incoming = selectors.incoming_chats(user)
    rights = roles.rights_by_channel(user)
    return {
        "incoming_chats": list(incoming[: selectors.LIST_LIMIT]),
        "incoming_count": incoming.count(),
        "ongoing_sessions": list(selectors.ongoing_sessions(user)[: selectors.LIST_LIMIT]),
        "present_agents": list(selectors.present_agents(user)),
        "offline_requests": list(selectors.offline_requests(user)),
        "can_supervise": any(r.can_listen_in or r.is_manager for r in rights.values()),
    }


def agent_context(user) -> dict:
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    return {
        "profile": profile,
        "sessions": list(selectors.sessions_list(user)),
        "recent_sessions": list(selectors.recent_sessions(user)),
    }


def panel_context(access, messages=None) -> dict:
    session = access.session
    return {
        "access": access,
        "session": session,
        "messages": list(selectors.transcript(session)) if messages is None else messages,
        "transfer_history": list(selectors.transfer_history(session)),
        "transfer_targets": list(selectors.transfer_targets(session, access.viewer_id)) if access.can_transfer else [],
        **contact_panel.panel_context(access),
    }


def render_each(templates, context, language=None) -> dict[str, str]:
    """Each partial's HTML by template name, under the viewer's language: consumers do not pass through
    LocaleMiddleware."""
    with translation.override(language or translation.get_language() or "en"):
        return {name: render_to_string(name, context) for name in templates}


def render_partials(templates, context, language=None) -> str:
    return "".join(render_each(templates, context, language).values())


def team_fragments(user, language=None) -> dict[str, str]:
    return render_each(TEAM_PARTIALS, {"user": user, **team_context(user)}, language)


def agent_fragments(user, language=None) -> dict[str, str]:
    return render_each(AGENT_PARTIALS, {"user": user, **agent_context(user)}, language)


def panel_access(user, session_id):
    from chat.models import ChatSession

    session = ChatSession.objects.select_related("channel", "owner").filter(pk=session_id).first()
    return access_for(user, session) if session else None
