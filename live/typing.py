"""The typing indicators as each side sees them; the reports that trigger them are in chat/services/typing.py.

The event names the typist both ways (live.events.push_typing), so rendering reads no database: the
visitor sees the agent's first name, agents see the visitor's name (or, for a listener, the owner's
full name).
"""

from live import events, fragments


def _typist_name(event, agent_name_key):
    return event["visitor_name"] if event["typist"] == events.VISITOR else event[agent_name_key]


def panel_indicator(event, session, language) -> str:
    context = {"session": session, "typist": event["typist"], "typist_name": _typist_name(event, "agent_name")}
    return fragments.render_partials(["chat/partials/typing.html"], context, language)


def widget_indicator(event, session, language) -> str:
    context = {"session": session, "typist": event["typist"], "typist_name": _typist_name(event, "agent_first_name")}
    return fragments.render_partials(["chat/widget/typing.html"], context, language)
