"""The visitor's whereabouts: the browser they started the chat in, and each page of the host website
they open while it lasts, as the widget's loader reports it. The agent's chat panel shows them live.

Everything here comes from the visitor's browser, so anyone may have typed it: chat/visitor_context.py
checks and caps each value, a page on a website the channel does not list is refused, and only the newest
PAGE_VIEWS_KEPT pages of a chat are kept, however long a script keeps reporting.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import visitor_context
from chat.models import ChatSession, PageView
from helpdesk.errors import Conflict, Invalid
from live import events

PAGE_VIEWS_KEPT = 50


def page_origins(channel, site_origin: str) -> list[str]:
    """The websites whose pages a chat of `channel` may report: those that may show its widget."""
    return [site_origin, *channel.embedding_origins]


@transaction.atomic
def session_describe_visitor(*, session: ChatSession, origins, user_agent="", referrer="", locale="",
                             time_zone="", page_url="", page_title="") -> None:
    """What the browser said when the chat started. Called once per pre-chat form: a value already kept
    stays (a second submit of the form changes nothing), and what does not pass the checks is left out
    rather than refusing a chat the visitor has just started."""
    session = ChatSession.objects.select_for_update(no_key=True).get(pk=session.pk)
    described = {
        "visitor_user_agent": visitor_context.clean_user_agent(user_agent),
        "visitor_referrer": visitor_context.clean_url(referrer),
        "visitor_locale": visitor_context.clean_locale(locale),
        "visitor_time_zone": visitor_context.clean_time_zone(time_zone),
    }
    changed = [field for field, value in described.items() if value and not getattr(session, field)]
    for field in changed:
        setattr(session, field, described[field])
    if changed:
        session.save(update_fields=changed)
    url = visitor_context.clean_url(page_url, origins=origins)
    if url:
        _record(session, url, visitor_context.clean_title(page_title))
    if changed or url:
        events.push_pages_on_commit(session.pk)


@transaction.atomic
def page_view_record(*, session: ChatSession, origins, url, title="") -> PageView | None:
    """The visitor opened `url` on the host website. The same page again (a reload) is one view, its title
    kept current; None when nothing changed."""
    clean = visitor_context.clean_url(url, origins=origins)
    if not clean:
        raise Invalid(_("This is not the address of a page on this channel's websites."))
    session = ChatSession.objects.select_for_update(no_key=True).get(pk=session.pk)
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    page_view = _record(session, clean, visitor_context.clean_title(title))
    if page_view is not None:
        events.push_pages_on_commit(session.pk)
    return page_view


def _record(session, url, title):
    latest = PageView.objects.filter(session=session).first()
    if latest is not None and latest.url == url:
        if latest.title == title:
            return None
        latest.title = title
        latest.save(update_fields=["title"])
        return latest
    page_view = PageView.objects.create(session=session, url=url, title=title, seen_at=timezone.now())
    kept = PageView.objects.filter(session=session).values_list("pk", flat=True)
    PageView.objects.filter(pk__in=list(kept[PAGE_VIEWS_KEPT:PAGE_VIEWS_KEPT + 100])).delete()
    return page_view
