"""Search over past chats ("Search chats"): which chats a person may read, and which of them match.

PostgreSQL matches message text by full-text search in the team's language (a GIN index on the same
expression, chat/migrations/0011_search_index.py); other databases, such as the embedded SQLite, by
case-insensitive substring. Visitor name and e-mail match by substring on both: names are not words a
stemmer knows. Each page of results costs the same two queries however many chats match.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery

from chat.models import ChatSession, Listener, Message
from helpdesk import roles

# PostgreSQL's text search configurations for the languages of settings.LANGUAGES.
SEARCH_CONFIGS = {"en": "english", "nl": "dutch", "sv": "swedish"}
MAX_QUERY_LENGTH = 200


def search_config(language_code=None) -> str:
    """The team's language (settings.LANGUAGE_CODE) as a text search configuration; 'simple' (no stemming,
    no stop words) for one PostgreSQL has none for."""
    code = (language_code or settings.LANGUAGE_CODE).split("-")[0].lower()
    return SEARCH_CONFIGS.get(code, "simple")


def message_document(config=None):
    """The indexed expression: the migration builds its GIN index from this very expression, so the
    planner can use it."""
    return SearchVector("body", config=config or search_config())


def search_terms(query: str) -> list[str]:
    """The words of a query, for substring matching and for highlighting."""
    return [term for term in re.split(r"[\s\"']+", query) if term]


def readable_past_chats(user):
    """Ended chats the person may read: their own (owned, or listened to after handing it over), and every
    chat of a channel where they manage or hold Can listen in. Chats marked as spam are left out, as in
    "Recent chat sessions"."""
    watched_channels = [
        channel_id for channel_id, rights in roles.rights_by_channel(user).items()
        if rights.can_listen_in or rights.is_manager
    ]
    handed_over = Listener.objects.filter(agent=user, reason=Listener.Reason.HANDED_OVER).values("session_id")
    return (
        ChatSession.objects.filter(status=ChatSession.Status.ENDED)
        .exclude(end_reason=ChatSession.EndReason.SPAM)
        .filter(Q(channel_id__in=watched_channels) | Q(owner=user) | Q(pk__in=handed_over))
    )


def _matching_messages(query: str):
    lines = Message.objects.filter(session=OuterRef("pk")).exclude(kind=Message.Kind.EVENT)
    if connection.vendor == "postgresql":
        config = search_config()
        return lines.annotate(document=message_document(config)).filter(
            document=SearchQuery(query, config=config, search_type="websearch")
        )
    for term in search_terms(query):
        lines = lines.filter(body__icontains=term)
    return lines


def search_past_chats(user, query: str):
    """The readable chats whose visitor name, e-mail or a message matches, newest first, each with
    `matching_line`: the first matching message's text (empty when only the name or e-mail matched)."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    matching = _matching_messages(query)
    return (
        readable_past_chats(user)
        .filter(Q(visitor_name__icontains=query) | Q(visitor_email__icontains=query) | Exists(matching))
        .annotate(matching_line=Subquery(matching.order_by("id").values("body")[:1]))
        .select_related("channel", "owner")
        .order_by("-ended_at", "-id")
    )
