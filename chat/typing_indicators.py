"""The typing indicators as each side sees them; the reports that trigger them are in services/typing.py.

The event carries ids only, so names are read here, and each side gets its own words: the visitor sees
the agent's first name, agents see the visitor's name (or, for a listener, the owner's full name).
"""

from django.contrib.auth import get_user_model

from chat import fragments, live
from chat.models import ChatSession
from helpdesk.templatetags.people import first_name, person


def _context(event, name_agent):
    session = ChatSession.objects.select_related("channel").get(pk=event["session_id"])
    if event["typist"] == live.VISITOR:
        name = session.visitor_name
    else:
        name = name_agent(get_user_model().objects.get(pk=event["agent_id"]))
    return {"session": session, "typist": event["typist"], "typist_name": name}


def panel_indicator(event, language) -> str:
    return fragments.render_partials(["chat/partials/typing.html"], _context(event, person), language)


def widget_indicator(event, language) -> str:
    return fragments.render_partials(["chat/widget/typing.html"], _context(event, first_name), language)
