"""The workspace's live fragments: what each shows, and for whom.

A page includes these partials and a consumer pushes the very same ones (the htmx ws extension swaps
them in by id), so the first render and every live update cannot drift apart.

Team fragments depend on the viewer's channel rights and language only, never on the person: that
pair is their audience, and one render serves every socket of it (live/renders.py). Agent and panel
fragments are the viewer's own.
"""

from django.template.loader import render_to_string
from django.utils import translation

from chat import selectors
from chat.visitor_details import VisitorDetails
from helpdesk import contact_panel, roles, work_requests
from helpdesk.models import AgentProfile
from live import events, workspace_lists
from transfers import selectors as transfer_selectors
from transfers.models import Transfer

TEAM_PARTIALS_BY_PART = {
    events.QUEUE: [
        "chat/partials/incoming_badge.html",
        "chat/partials/incoming_list.html",
        "chat/partials/queue_count.html",
    ],
    events.ONGOING: ["chat/partials/ongoing_sessions.html"],
    events.PRESENCE: ["chat/partials/present_agents.html"],
    events.OFFLINE: ["chat/partials/offline_requests.html"],
}
AGENT_PARTIALS_BY_PART = {
    "presence": ["chat/partials/presence_toggle.html", "chat/partials/sounds_toggle.html"],
    events.SESSIONS: ["chat/partials/sessions_list.html"],
    events.RECENT: ["chat/partials/recent_sessions.html"],
    events.REQUESTS: ["helpdesk/partials/requests_badge.html", "helpdesk/partials/assigned_requests.html"],
}
AGENT_PARTS = tuple(AGENT_PARTIALS_BY_PART)
PANEL_LIVE_PARTIALS = [
    "chat/partials/panel_header.html",
    "chat/partials/transfer_bar.html",
    "chat/partials/transfer_history.html",
    "helpdesk/partials/contact_card.html",
]


def audience(rights: dict) -> tuple:
    """A hashable name for everyone with these channel rights: they see the same team fragments."""
    return tuple(sorted(rights.items()))


def team_context(rights: dict, parts=events.TEAM_PARTS) -> dict:
    """What the Dashboard's team parts show to someone with these channel rights."""
    answerable = [cid for cid, r in rights.items() if r.can_respond]
    context = {"can_supervise": any(r.can_listen_in or r.is_manager for r in rights.values())}
    if events.QUEUE in parts:
        incoming = selectors.incoming_chats(answerable)
        context["incoming_chats"] = list(incoming[: selectors.LIST_LIMIT])
        context["incoming_count"] = incoming.count()
        # Their checkboxes and "End selected": managers end queued chats in bulk, on their own channels only.
        context["managed_channel_ids"] = [cid for cid, r in rights.items() if r.is_manager]
    if events.ONGOING in parts:
        context["ongoing_sessions"] = list(workspace_lists.ongoing_sessions(list(rights))[: selectors.LIST_LIMIT])
    if events.PRESENCE in parts:
        context["present_agents"] = list(selectors.present_agents(list(rights)))
    if events.OFFLINE in parts:
        context["offline_requests"] = list(selectors.offline_requests(answerable))
    return context


def agent_context(user, parts=AGENT_PARTS) -> dict:
    context = {}
    if "presence" in parts:
        context["profile"], _created = AgentProfile.objects.get_or_create(user=user)
    if events.SESSIONS in parts:
        context["sessions"] = list(workspace_lists.sessions_list(user))
    if events.RECENT in parts:
        context["recent_sessions"] = list(selectors.recent_sessions(user))
    if events.REQUESTS in parts:
        context["assigned_requests"] = list(work_requests.assigned_waiting(user)[: selectors.LIST_LIMIT])
        context["assigned_count"] = work_requests.assigned_waiting(user).count()
    return context


def panel_context(access, messages=None) -> dict:
    session = access.session
    return {
        "access": access,
        "session": session,
        "messages": list(selectors.transcript(session)) if messages is None else messages,
        "transfer_history": list(selectors.transfer_history(session)),
        "transfer_targets": list(transfer_selectors.transfer_targets(session, access.viewer_id)) if access.can_transfer else [],
        "visitor": VisitorDetails(session, access.viewer),
        **contact_panel.panel_context(access),
    }


VISITOR_PAGE_PARTIALS = ["chat/partials/visitor_page.html", "chat/partials/visitor_pages.html"]


def visitor_pages_fragment(session, language) -> str:
    """Where the chat's visitor is and has been: the same for everyone who watches the chat."""
    return render_partials(VISITOR_PAGE_PARTIALS, {"session": session, "visitor": VisitorDetails(session, None)}, language)


def render_each(templates, context, language=None) -> dict[str, str]:
    """Each partial's HTML by template name, under the viewer's language: consumers do not pass through
    LocaleMiddleware."""
    with translation.override(language or translation.get_language() or "en"):
        return {name: render_to_string(name, context) for name in templates}


def render_partials(templates, context, language=None) -> str:
    return "".join(render_each(templates, context, language).values())


def team_fragments(rights: dict, language, parts=events.TEAM_PARTS) -> dict[str, str]:
    templates = [name for part in parts for name in TEAM_PARTIALS_BY_PART[part]]
    return render_each(templates, team_context(rights, parts), language)


def agent_fragments(user, language, parts=AGENT_PARTS) -> dict[str, str]:
    templates = [name for part in parts for name in AGENT_PARTIALS_BY_PART[part]]
    return render_each(templates, {"user": user, **agent_context(user, parts)}, language)


SESSIONS_LIST = AGENT_PARTIALS_BY_PART[events.SESSIONS][0]


def session_entry_fragment(user, language, session_id) -> str:
    """One chat's entry in the agent's sessions list, for a new line in it: the count changed, nothing
    else did, and re-rendering the whole list for every line would cost a list per message."""
    chat = workspace_lists.sessions_list(user).filter(pk=session_id).first()
    if chat is None:
        return ""
    return render_partials(["chat/partials/session_entry.html"], {"chat": chat}, language)


def workspace_context(user) -> dict:
    """Everything the workspace page shows when it is first loaded, with the chat last offered to the agent
    and still waiting for their answer: it opens by itself after a reload, as it did when it arrived."""
    rights = roles.rights_by_channel(user)
    offered = Transfer.objects.filter(to_agent=user, status=Transfer.Status.PENDING).order_by("-created_at", "-id")
    return {
        **team_context(rights), **agent_context(user),
        "offered_session_id": offered.values_list("session_id", flat=True).first(),
    }
