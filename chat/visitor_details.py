"""The visitor's side of a chat as its agent sees it in the panel: the page they are on, the pages seen
in this chat, where they came from, their browser and system, their local time and language, and their
earlier chats. Each read costs a fixed number of queries, however long the history, and only when a
template shows it: the header pushed on every change of the chat reads the current page alone."""

import zoneinfo
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.utils import timezone
from ua_parser import parse

from chat.models import PageView
from chat.search import readable_past_chats

PAGES_SHOWN = 20
EARLIER_CHATS_SHOWN = 10


@dataclass(frozen=True)
class Software:
    browser: str
    system: str


@lru_cache(maxsize=512)
def software(user_agent: str) -> Software:
    """The browser and operating system a User-Agent names ("Firefox 133", "Windows 10"), by ua-parser's
    rules; "" for what it does not recognise."""
    if not user_agent:
        return Software("", "")
    result = parse(user_agent)

    def named(part):
        return " ".join(filter(None, [part.family, part.major])) if part and part.family != "Other" else ""

    return Software(browser=named(result.user_agent), system=named(result.os))


def local_time(time_zone: str, now=None):
    """Now (or `now`) in the visitor's time zone; None when the chat did not say which."""
    if not time_zone:
        return None
    try:
        return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def pages_seen(session_id) -> list[PageView]:
    """The newest first; the first of them is the page the visitor is on."""
    return list(PageView.objects.filter(session_id=session_id)[:PAGES_SHOWN])


def earlier_chats(session, viewer) -> list:
    """Ended chats with the same e-mail address that `viewer` may read (the rule of Search chats, whose
    transcript page they link to)."""
    if not session.visitor_email:
        return []
    return list(
        readable_past_chats(viewer).filter(visitor_email__iexact=session.visitor_email)
        .exclude(pk=session.pk).order_by("-created_at")[:EARLIER_CHATS_SHOWN]
    )


class VisitorDetails:
    """Read on first use, by the partials that show it (chat/partials/visitor_*.html)."""

    def __init__(self, session, viewer):
        self.session, self.viewer = session, viewer

    @cached_property
    def page_views(self) -> list[PageView]:
        return pages_seen(self.session.pk)

    @property
    def current_page(self) -> PageView | None:
        return self.page_views[0] if self.page_views else None

    @cached_property
    def software(self) -> Software:
        return software(self.session.visitor_user_agent)

    @cached_property
    def local_time(self):
        return local_time(self.session.visitor_time_zone)

    @cached_property
    def earlier_chats(self) -> list:
        if not self.session.visitor_email:
            return []
        return earlier_chats(self.session, self.viewer)
