"""Where the visitor is: what their browser says at the start of a chat and as they move around the host
website, checked and capped before it is kept, and what the agent's chat panel shows of it."""

import re
import zoneinfo
from datetime import datetime, timezone as dt_timezone

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import visitor_context
from chat.models import ChatSession, PageView
from chat.services import page_views
from chat.visitor_details import earlier_chats, local_time, software
from helpdesk.errors import Conflict, Invalid
from tests.factories import ChatSessionFactory, active_chat, logged_in

pytestmark = pytest.mark.django_db

SITE = ["http://testserver"]
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"


def page_url(chat, token=None):
    return f"/widget/{chat.channel.slug}/chat/{token or chat.token}/page/"


def report(chat, url, title="", token=None):
    return Client(enforce_csrf_checks=True).post(page_url(chat, token), {"url": url, "title": title})


# --- Checking what the browser sends ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://testserver/", "https://shop.example.com/basket?item=3#pay", "http://localhost:3000/a",
])
def test_an_http_or_https_address_is_kept_as_it_is(url):
    assert visitor_context.clean_url(url) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:text/html,hi", "ftp://example.com/file", "//example.com/", "/relative",
    "https://user:secret@example.com/", "https://example.com/\nSet-Cookie: x", "https://example.com/" + "a" * 2000,
    "", None, "http://",
])
def test_anything_else_is_no_address(url):
    assert visitor_context.clean_url(url) == ""


def test_an_address_off_the_channels_websites_is_no_address_of_its_pages():
    assert visitor_context.clean_url("https://evil.example/", origins=SITE) == ""
    assert visitor_context.clean_url("http://testserver:8080/", origins=SITE) == ""
    assert visitor_context.clean_url("http://TESTSERVER/pricing/", origins=SITE) == "http://TESTSERVER/pricing/"


def test_a_title_is_one_line_and_capped():
    assert visitor_context.clean_title("  Our\tprices \n\n 2026 ") == "Our prices 2026"
    assert len(visitor_context.clean_title("x" * 5000)) == visitor_context.MAX_TITLE_LENGTH


def test_language_and_time_zone_must_be_real_ones():
    assert visitor_context.clean_locale("nl-NL") == "nl-NL"
    assert visitor_context.clean_locale("zh-Hant-TW") == "zh-Hant-TW"
    assert visitor_context.clean_locale("<b>nl</b>") == ""
    assert visitor_context.clean_time_zone("Europe/Stockholm") == "Europe/Stockholm"
    assert visitor_context.clean_time_zone("Mars/Olympus_Mons") == ""
    assert visitor_context.clean_time_zone("../../etc/passwd") == ""


def test_the_browser_and_system_are_named_by_ua_parser():
    assert software(CHROME_ON_WINDOWS).browser == "Chrome 131"
    assert software(CHROME_ON_WINDOWS).system == "Windows 10"
    assert software(FIREFOX_ON_MAC).browser == "Firefox 133"
    assert software(FIREFOX_ON_MAC).system.startswith("Mac OS X")
    assert software("no browser at all") == software("")


def test_the_visitors_local_time_is_now_in_their_time_zone():
    noon_utc = datetime(2026, 7, 1, 12, 0, tzinfo=dt_timezone.utc)
    assert local_time("Europe/Stockholm", now=noon_utc).hour == 14
    assert local_time("", now=noon_utc) is None


# --- Recording pages --------------------------------------------------------------------------------------


def test_each_new_page_is_a_view_and_a_reload_is_not(support, alice):
    chat = active_chat(support, alice)
    page_views.page_view_record(session=chat, origins=SITE, url="http://testserver/", title="Home")
    page_views.page_view_record(session=chat, origins=SITE, url="http://testserver/pricing/", title="Pricing")
    again = page_views.page_view_record(session=chat, origins=SITE, url="http://testserver/pricing/", title="Pricing")
    retitled = page_views.page_view_record(
        session=chat, origins=SITE, url="http://testserver/pricing/", title="Pricing (sale)"
    )

    assert again is None
    assert retitled is not None
    assert [(p.url, p.title) for p in chat.page_views.all()] == [
        ("http://testserver/pricing/", "Pricing (sale)"), ("http://testserver/", "Home"),
    ]


def test_only_the_newest_pages_of_a_chat_are_kept(support, alice):
    chat = active_chat(support, alice)
    for n in range(page_views.PAGE_VIEWS_KEPT + 5):
        page_views.page_view_record(session=chat, origins=SITE, url=f"http://testserver/p{n}/")

    kept = list(chat.page_views.values_list("url", flat=True))
    assert len(kept) == page_views.PAGE_VIEWS_KEPT
    assert kept[0] == f"http://testserver/p{page_views.PAGE_VIEWS_KEPT + 4}/"
    assert "http://testserver/p4/" not in kept


def test_a_page_elsewhere_or_after_the_end_is_refused(support, alice):
    chat = active_chat(support, alice)
    with pytest.raises(Invalid):
        page_views.page_view_record(session=chat, origins=SITE, url="https://phishing.example/login")
    ChatSession.objects.filter(pk=chat.pk).update(status=ChatSession.Status.ENDED, ended_at=timezone.now())
    with pytest.raises(Conflict):
        page_views.page_view_record(session=chat, origins=SITE, url="http://testserver/")
    assert not PageView.objects.exists()


def test_what_the_browser_said_at_the_start_is_kept_once(support, alice):
    chat = active_chat(support, alice)
    page_views.session_describe_visitor(
        session=chat, origins=SITE, user_agent=CHROME_ON_WINDOWS, referrer="https://www.google.com/",
        locale="sv-SE", time_zone="Europe/Stockholm", page_url="http://testserver/", page_title="Home",
    )
    page_views.session_describe_visitor(
        session=chat, origins=SITE, user_agent=FIREFOX_ON_MAC, referrer="https://other.example/",
        locale="en-GB", time_zone="Europe/London",
    )
    chat.refresh_from_db()
    assert (chat.visitor_user_agent, chat.visitor_referrer, chat.visitor_locale, chat.visitor_time_zone) == (
        CHROME_ON_WINDOWS, "https://www.google.com/", "sv-SE", "Europe/Stockholm",
    )
    assert list(chat.page_views.values_list("title", flat=True)) == ["Home"]


# --- Over HTTP --------------------------------------------------------------------------------------------


def test_starting_a_chat_keeps_where_the_visitor_is(support, alice):
    visitor = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=FIREFOX_ON_MAC)
    response = visitor.post("/widget/support/start/", {
        "name": "Vera", "question": "Hi", "page_url": "http://testserver/pricing/", "page_title": "Pricing",
        "referrer": "https://duckduckgo.com/", "locale": "nl-NL", "time_zone": "Europe/Amsterdam",
    })

    assert response.status_code == 200
    chat = ChatSession.objects.get(visitor_name="Vera")
    assert (chat.visitor_user_agent, chat.visitor_referrer, chat.visitor_locale, chat.visitor_time_zone) == (
        FIREFOX_ON_MAC, "https://duckduckgo.com/", "nl-NL", "Europe/Amsterdam",
    )
    assert [(p.url, p.title) for p in chat.page_views.all()] == [("http://testserver/pricing/", "Pricing")]


def test_a_chat_starts_even_when_what_the_browser_said_is_rubbish(support, alice):
    response = Client().post("/widget/support/start/", {
        "name": "Vera", "page_url": "javascript:alert(1)", "referrer": "data:,x", "locale": "'; drop",
        "time_zone": "Nowhere/Else", "page_title": "x" * 9000,
    })

    assert response.status_code == 200
    chat = ChatSession.objects.get(visitor_name="Vera")
    assert (chat.visitor_referrer, chat.visitor_locale, chat.visitor_time_zone) == ("", "", "")
    assert not chat.page_views.exists()


def test_the_widget_reports_a_page_of_the_site(support, alice):
    chat = active_chat(support, alice)
    response = report(chat, "http://testserver/pricing/", "Pricing")

    assert response.status_code == 204
    assert chat.page_views.get().title == "Pricing"


@pytest.mark.parametrize("url", [
    "javascript:alert(document.cookie)", "https://elsewhere.example/", "http://testserver/" + "a" * 2001, "",
])
def test_a_bad_page_address_gets_400_and_keeps_nothing(support, alice, url):
    chat = active_chat(support, alice)
    response = report(chat, url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not PageView.objects.exists()


def test_a_page_of_a_website_the_channel_lists_is_accepted(support, alice):
    support.allowed_websites = "https://www.example.com"
    support.save(update_fields=["allowed_websites"])
    chat = active_chat(support, alice)

    assert report(chat, "https://www.example.com/shoes?size=42", "Shoes").status_code == 204


def test_a_forged_or_another_channels_token_finds_no_chat(support, alice):
    chat = active_chat(support, alice)
    other = ChatSessionFactory(channel__slug="sales")

    assert report(chat, "http://testserver/", token="f" * 43).status_code == 404
    assert report(chat, "http://testserver/", token=other.token).status_code == 404
    assert not PageView.objects.exists()


def test_page_reports_are_throttled_per_chat(support, alice):
    support.page_views_per_minute = 3
    support.save(update_fields=["page_views_per_minute"])
    chat = active_chat(support, alice)

    answers = [report(chat, f"http://testserver/p{n}/").status_code for n in range(4)]
    assert answers == [204, 204, 204, 429]


def test_a_report_after_the_chat_ended_is_refused(support, alice):
    chat = active_chat(support, alice)
    ChatSession.objects.filter(pk=chat.pk).update(status=ChatSession.Status.ENDED, ended_at=timezone.now())

    assert report(chat, "http://testserver/").status_code == 409


# --- What the agent sees ----------------------------------------------------------------------------------


def test_the_panel_shows_the_current_page_and_the_details(support, alice):
    chat = active_chat(support, alice, visitor_email="vera@example.org", visitor_user_agent=CHROME_ON_WINDOWS,
                       visitor_referrer="https://www.google.com/", visitor_locale="sv-SE",
                       visitor_time_zone="Europe/Stockholm")
    page_views.page_view_record(session=chat, origins=SITE, url="http://testserver/", title="Home")
    page_views.page_view_record(session=chat, origins=SITE, url="http://testserver/pricing/", title="Pricing")

    html = logged_in(alice).get(f"/chats/{chat.pk}/").text

    header = html.split(f'id="panel-header-{chat.pk}"')[1].split("</header>")[0]
    assert "Current page" in header and ">Pricing</a>" in header
    details = html.split(f'id="visitor-details-{chat.pk}"')[1].split("</details>")[0]
    for text in ("Chrome 131", "Windows 10", "https://www.google.com/", "sv-SE", "Europe/Stockholm", ">Home</a>"):
        assert text in details, text


def test_what_the_visitor_sent_is_escaped_in_the_panel(support, alice):
    chat = active_chat(support, alice)
    page_views.page_view_record(
        session=chat, origins=SITE, url='http://testserver/?q="><script>alert(1)</script>',
        title="<img src=x onerror=alert(1)>",
    )

    html = logged_in(alice).get(f"/chats/{chat.pk}/").text

    assert "<img src=x" not in html and "<script>alert(1)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_earlier_chats_are_those_of_the_same_email_the_agent_may_read(support, alice, bob, carol):
    now = timezone.now()
    chat = active_chat(support, alice, visitor_email="vera@example.org")
    own = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ENDED, ended_at=now,
                             visitor_email="VERA@example.org", question="My earlier question")
    bobs = ChatSessionFactory(channel=support, owner=bob, status=ChatSession.Status.ENDED, ended_at=now,
                              visitor_email="vera@example.org", question="Asked bob")
    ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ENDED, ended_at=now,
                       visitor_email="someone@example.org")

    assert earlier_chats(chat, alice) == [own]
    assert set(earlier_chats(chat, carol)) == {own, bobs}  # Can listen in reads the channel's chats

    html = logged_in(alice).get(f"/chats/{chat.pk}/").text
    assert f'href="/search/chats/{own.pk}/"' in html
    assert f'href="/search/chats/{bobs.pk}/"' not in html


def test_a_chat_without_email_has_no_earlier_chats(support, alice):
    chat = active_chat(support, alice, visitor_email="")
    assert earlier_chats(chat, alice) == []
    assert "No e-mail address" in logged_in(alice).get(f"/chats/{chat.pk}/").text


def test_the_panel_costs_the_same_queries_however_many_pages_were_seen(support, alice):
    chat = active_chat(support, alice, visitor_email="vera@example.org")
    client = logged_in(alice)
    client.get(f"/chats/{chat.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/chats/{chat.pk}/")
    for n in range(30):
        page_views.page_view_record(session=chat, origins=SITE, url=f"http://testserver/p{n}/")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/chats/{chat.pk}/")
    assert len(many) == len(few)


def test_the_visitors_local_time_is_rendered_in_their_time_zone_not_the_servers(support, alice, settings):
    settings.TIME_ZONE = "UTC"
    chat = active_chat(support, alice, visitor_time_zone="Asia/Tokyo")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")

    before = timezone.now().astimezone(tokyo)
    html = logged_in(alice).get(f"/chats/{chat.pk}/").text
    after = timezone.now().astimezone(tokyo)

    shown = re.search(r'<time data-visitor-time-zone="Asia/Tokyo"[^>]*>([^<]*)</time>', html).group(1)
    assert shown in {f"{when.hour % 12 or 12}:{when:%M %p}" for when in (before, after)}  # English, 9 hours ahead
