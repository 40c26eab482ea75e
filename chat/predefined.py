"""Reads of predefined text: what an agent may insert into a chat, and in which order.

An agent sees their own quick replies and the team's reply templates and FAQs, never a colleague's
quick replies. Opened from a chat, the texts offered are those in the language the visitor chats in,
since that is who reads them; elsewhere, those in the agent's own language. A search reaches every
language, so a text kept in another language can still be found.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chat.models import ChatSession, PredefinedText
from helpdesk.languages import profile_language
from live.access import access_for

PER_GROUP_LIMIT = 50
SHORTCUTS_LIMIT = 500

GROUPS = [
    (PredefinedText.Kind.QUICK_REPLY, _("Quick replies")),
    (PredefinedText.Kind.REPLY_TEMPLATE, _("Reply templates")),
    (PredefinedText.Kind.FAQ, _("FAQs")),
]


@dataclass(frozen=True)
class TextGroup:
    kind: str
    label: str
    texts: list


def agent_language(user, request_language: str | None = None) -> str:
    """The agent profile's language, else the language the request is served in."""
    chosen = profile_language(user) or request_language or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


def chat_language(user, chat_id: int) -> str | None:
    """The language the visitor of this chat reads, if the agent may open the chat; else None, the same
    answer for a chat that does not exist."""
    session = ChatSession.objects.select_related("channel").filter(pk=chat_id).first()
    if session is None or access_for(user, session) is None:
        return None
    try:
        return translation.get_supported_language_variant(session.visitor_language)
    except LookupError:
        return settings.LANGUAGE_CODE


def visible_texts(user):
    """Every predefined text the agent may use: their own quick replies and the team's texts."""
    return PredefinedText.objects.filter(
        Q(kind=PredefinedText.Kind.QUICK_REPLY, owner=user) | ~Q(kind=PredefinedText.Kind.QUICK_REPLY)
    )


def _own_language_first(queryset, language):
    return queryset.annotate(
        other_language=Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("other_language", "title", "id")


def search(user, *, language: str, query: str = "") -> list[TextGroup]:
    """The picker's groups (Quick replies, Reply templates, FAQs), each in the agent's language first."""
    query = query.strip()
    texts = visible_texts(user)
    if query:
        term = query.removeprefix("/")
        texts = texts.filter(Q(title__icontains=query) | Q(shortcut__icontains=term) | Q(text__icontains=query))
    else:
        texts = texts.filter(language=language)
    texts = _own_language_first(texts, language)
    return [
        TextGroup(kind=kind, label=label, texts=list(texts.filter(kind=kind)[:PER_GROUP_LIMIT]))
        for kind, label in GROUPS
    ]


def shortcuts(user, *, language: str) -> list[PredefinedText]:
    """All texts the agent can call up with "/shortcut", in the agent's language first, so a shortcut
    kept in several languages expands to the agent's own."""
    return list(_own_language_first(visible_texts(user), language)[:SHORTCUTS_LIMIT])


def visible_text(user, pk: int) -> PredefinedText | None:
    """One text the agent may see; None for a colleague's quick reply, the same answer as for no text."""
    return visible_texts(user).filter(pk=pk).first()
