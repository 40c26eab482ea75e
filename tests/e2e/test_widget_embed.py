"""The widget as a company embeds it: one script tag on a page of another site, the chat in an iframe.

The host page is served from another site (localhost, while the helpdesk is at 127.0.0.1), so the widget runs cross-site, where browsers withhold third-party cookies; the test strips
every cookie from the visitor's requests and hides document.cookie, to show that none is needed.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from chat.models import Channel
from tests.e2e.flows import (
    agent_says,
    answer_next_in_queue,
    fill_prechat_form,
    panel_transcript,
    visitor_says,
    widget_transcript,
)


def without_cookies(headers):
    return {name: value for name, value in headers.items() if name.lower() != "cookie"}


@pytest.fixture
def host_site(daphne_server):
    """A company's site on another origin (localhost, while the helpdesk is at 127.0.0.1), both on the
    loopback, as Chrome's local-network checks require of a page that loads a script from 127.0.0.1."""
    html = (
        "<!DOCTYPE html><html><head><title>Example shop</title></head><body><h1>Example shop</h1>"
        f'<script src="{daphne_server}/static/widget/loader.js" data-channel="support" async></script>'
        "</body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()
    server.server_close()


def open_widget(page):
    page.get_by_role("button", name="Chat", exact=True).click()
    return page.frame_locator("#helpdesk-chat-frame")


def test_a_visitor_chats_through_the_embedded_widget_without_cookies_and_a_reload_resumes_it(
    demo_team, new_page, login, host_site
):
    Channel.objects.filter(slug="support").update(allowed_websites=host_site)
    alice = login(new_page(), "alice")
    visitor = new_page()
    visitor.context.add_init_script("Object.defineProperty(document, 'cookie', {get: () => '', set: () => {}})")
    visitor.context.route("**/*", lambda route: route.continue_(headers=without_cookies(route.request.headers)))

    visitor.goto(host_site)
    widget = open_widget(visitor)
    fill_prechat_form(widget, "Vera", "Do you ship to Norway?")
    answer_next_in_queue(alice, "Vera")
    agent_says(alice, "Yes, we do.")
    expect(widget_transcript(widget)).to_contain_text("Yes, we do.")
    visitor_says(widget, "Great, thanks")
    expect(panel_transcript(alice)).to_contain_text("Great, thanks")

    visitor.reload()
    widget = open_widget(visitor)

    expect(widget_transcript(widget)).to_contain_text("Yes, we do.")
    expect(widget.get_by_label("Question", exact=True)).to_have_count(0)
    visitor_says(widget, "One more thing")
    expect(panel_transcript(alice)).to_contain_text("One more thing")


def test_a_website_the_channel_does_not_list_gets_no_chat_button(demo_team, new_page, host_site):
    visitor = new_page()

    with visitor.expect_console_message(lambda message: "is not one of this channel's websites" in message.text):
        visitor.goto(host_site)

    expect(visitor.get_by_role("heading", name="Example shop")).to_be_visible()
    expect(visitor.get_by_role("button", name="Chat", exact=True)).to_have_count(0)
    expect(visitor.locator("#helpdesk-chat-frame")).to_have_count(0)


def shop_page(visitor, script_attributes=""):
    """A host page with the loader on it, served by the browser itself from the test's own routes."""
    html = (
        "<!DOCTYPE html><html><head><title>Example shop</title></head><body><h1>Example shop</h1>"
        f'<script src="/static/widget/loader.js" data-channel="support" {script_attributes} async></script>'
        "</body></html>"
    )
    visitor.route("**/shop/", lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    visitor.goto("/shop/")


@pytest.mark.parametrize("locale, label", [("sv-SE", "Chatt"), ("nl-NL", "Chat"), ("en-GB", "Chat")])
def test_the_chat_button_is_named_in_the_visitors_language(demo_team, new_page, locale, label):
    visitor = new_page(locale=locale)
    shop_page(visitor)

    expect(visitor.get_by_role("button", name=label, exact=True)).to_be_visible()
    expect(visitor.locator("#helpdesk-chat-frame")).to_have_attribute("title", label)


def test_the_site_names_the_chat_button_with_data_label(alice_at_work, new_page):
    visitor = new_page(locale="sv-SE")
    shop_page(visitor, 'data-label="Fråga oss"')

    visitor.get_by_role("button", name="Fråga oss", exact=True).click()
    expect(visitor.frame_locator("#helpdesk-chat-frame").get_by_role("button", name="Starta chatt")).to_be_visible()
