"""Search over past chats ("Search chats"): which chats a person may read, and which of them match.

PostgreSQL matches message text by full-text search in the team's language (a GIN index on the same
expression, chat/migrations/0011_search_index.py); other databases, such as the embedded SQLite, by
case-insensitive substring. Visitor name and e-mail match by substring on both: names are not words a
stemmer knows. Each page of results costs the same two queries however many chats match.

Highlighting marks the query's words in a hit (chat/templatetags/highlight.py). A stemmed match has other
words than the query ("invoiced" for "invoices"), so on PostgreSQL each hit also carries the words that
ts_headline marked in its matching line (`hit_words`), and those are highlighted too.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery, Value

from chat.models import ChatSession, Listener, Message
from helpdesk import roles

# PostgreSQL's text search configurations for the languages of settings.LANGUAGES.
SEARCH_CONFIGS = {"en": "english", "nl": "dutch", "sv": "swedish"}
MAX_QUERY_LENGTH = 200
# What ts_headline puts around the words it matched: control characters no message shows, so that only
# the words are read out of the headline, never markup from it.
HIT_START, HIT_END = "\x02", "\x03"


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


def _text_query(query: str, config: str) -> SearchQuery:
    return SearchQuery(query, config=config, search_type="websearch")


def _matching_messages(query: str):
    lines = Message.objects.filter(session=OuterRef("pk")).exclude(kind=Message.Kind.EVENT)
    if connection.vendor == "postgresql":
        config = search_config()
        return lines.annotate(document=message_document(config)).filter(document=_text_query(query, config))
    for term in search_terms(query):
        lines = lines.filter(body__icontains=term)
    return lines


def _marked_line(query: str, first_match):
    """The first matching line with the words PostgreSQL matched between HIT_START and HIT_END; elsewhere
    nothing more than the query's own words match, so there is nothing to mark."""
    if connection.vendor != "postgresql":
        return Value("")
    config = search_config()
    return Subquery(first_match.annotate(marked=SearchHeadline(
        "body", _text_query(query, config), config=config, start_sel=HIT_START, stop_sel=HIT_END,
        highlight_all=True,
    )).values("marked")[:1])


def hit_words(marked_line: str) -> list[str]:
    """The words ts_headline marked in a line, as they are written there."""
    return re.findall(f"{HIT_START}(.*?){HIT_END}", marked_line or "", flags=re.DOTALL)


def search_past_chats(user, query: str):
    """The readable chats whose visitor name, e-mail or a message matches, newest first, each with
    `matching_line`: the first matching message's text (empty when only the name or e-mail matched), and
    `marked_line`: the same with the words full-text search matched marked (see hit_words)."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    matching = _matching_messages(query)
    first_match = matching.order_by("id")
    return (
        readable_past_chats(user)
        .filter(Q(visitor_name__icontains=query) | Q(visitor_email__icontains=query) | Exists(matching))
        .annotate(matching_line=Subquery(first_match.values("body")[:1]), marked_line=_marked_line(query, first_match))
        .select_related("channel", "owner")
        .order_by("-ended_at", "-id")
    )
