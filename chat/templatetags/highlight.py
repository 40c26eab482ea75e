import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from chat.search import hit_words, search_terms

register = template.Library()


@register.filter
def highlight(text, query):
    """The text, escaped, with each of the query's words wrapped in <mark>. The text is cut at the matches
    first and every piece escaped on its own, so a visitor's "<script>" stays text, and a word such as
    "amp" cannot match inside an escape the filter made."""
    text = "" if text is None else str(text)
    terms = sorted({term.lower() for term in search_terms(query or "")}, key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last:match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))


@register.filter
def excerpt(text, query, width=80):
    """The part of a long message around its first match, so the hit shows in the list."""
    text = "" if text is None else str(text)
    lowered = text.lower()
    positions = [lowered.find(term.lower()) for term in search_terms(query or "")]
    positions = [position for position in positions if position >= 0]
    if not positions or len(text) <= 2 * width:
        return text if len(text) <= 2 * width else text[: 2 * width] + "…"
    start = max(min(positions) - width, 0)
    end = start + 2 * width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


@register.filter
def with_hit_words(query, marked_line):
    """The query and the words full-text search matched in the hit (stemmed: "invoiced" for "invoices"),
    as one query for `highlight` and `excerpt`."""
    return " ".join([query or "", *hit_words(marked_line)])
