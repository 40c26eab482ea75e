"""Noticing every chat and seeing who it is, in real browsers: an agent whose workspace is in the
background sees the count in the tab's title, hears the chime and gets a desktop notification, and the
unanswered-chat alert leaves the chat's Menu uncovered; a visitor moving around the host page shows up in
the agent's chat header as they go."""

import re

import pytest
from playwright.sync_api import expect

from chat.models import Channel
from tests.e2e.flows import (
    answer_incoming,
    chat_panel,
    expect_chat_open,
    fill_prechat_form,
    incoming_row,
    session_entry,
    start_visitor_chat,
    transfer_to,
    visitor_says,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The page's sounds and notifications, recorded: headless Chromium plays and shows nothing one could
# observe. `window.inBackground` stands for another tab or window being in front.
RECORD_ATTENTION = """
window.inBackground = false;
window.chimes = 0;
window.notifications = [];
Object.defineProperty(Document.prototype, "visibilityState", { get: () => window.inBackground ? "hidden" : "visible" });
Document.prototype.hasFocus = function () { return !window.inBackground; };
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!this.muted) window.chimes += 1;
  return play.call(this).catch(function () {});
};
const Shown = window.Notification;
window.Notification = class extends Shown {
  constructor(title, options) {
    super(title, options);
    window.notifications.push({ title: title, body: (options || {}).body });
    window.lastNotification = this;
  }
};
"""


def to_background(page):
    page.evaluate("window.inBackground = true; document.dispatchEvent(new Event('visibilitychange'))")


def to_front(page):
    page.evaluate("window.inBackground = false; document.dispatchEvent(new Event('visibilitychange'))")


def chimes(page):
    return page.evaluate("window.chimes")


def test_an_agent_in_another_tab_sees_hears_and_is_notified_of_a_new_chat_a_new_message_and_an_offer(
    demo_team, new_page, login
):
    Channel.objects.filter(pk=demo_team.channel.pk).update(unanswered_alert_seconds=1)
    alice = new_page(permissions=["notifications"])
    alice.add_init_script(RECORD_ATTENTION)
    login(alice, "alice")
    expect(alice.get_by_role("button", name="Sounds")).to_have_attribute("aria-pressed", "true")
    alice.get_by_role("button", name="Desktop notifications").click()
    expect(alice.get_by_role("button", name="Desktop notifications")).to_have_attribute("aria-pressed", "true")
    expect(alice).to_have_title("Chat · Helpdesk")
    to_background(alice)

    vera = start_visitor_chat(new_page(), "Vera", "Is anyone there?")

    expect(alice).to_have_title("(1) Chat · Helpdesk")
    assert chimes(alice) == 1
    assert alice.evaluate("window.notifications") == [{"title": "New chat", "body": "Vera"}]
    alice.evaluate("window.lastNotification.onclick()")  # what a click on it does
    expect(incoming_row(alice, "Vera")).to_be_focused()

    # The pop-up for a chat nobody answers sits beside the chat's controls, never over them.
    start_visitor_chat(new_page(), "Walt", "Hello?")
    expect(alice).to_have_title("(2) Chat · Helpdesk")
    assert chimes(alice) == 2
    to_front(alice)
    answer_incoming(alice, "Vera")
    expect(alice).to_have_title("(1) Chat · Helpdesk")
    alert = alice.locator("#alerts").get_by_role("alert")
    expect(alert).to_contain_text("Walt is waiting for an answer.")
    menu = chat_panel(alice).get_by_role("button", name="Menu", exact=True)
    alert_box, menu_box = alert.bounding_box(), menu.bounding_box()
    assert alert_box["y"] + alert_box["height"] <= menu_box["y"], (alert_box, menu_box)
    menu.click()
    expect(chat_panel(alice).get_by_role("menuitem", name="End chat")).to_be_visible()
    menu.click()

    # A line in the chat open on screen counts and chimes only while the workspace is in the background.
    visitor_says(vera, "Thanks, found it")
    expect(chat_panel(alice)).to_contain_text("Thanks, found it")
    expect(session_entry(alice, "Vera").locator(".unread")).to_have_text(re.compile(r"^1\b"))  # hidden: on screen
    assert chimes(alice) == 2
    to_background(alice)
    visitor_says(vera, "Are you still there?")
    expect(alice).to_have_title("(2) Chat · Helpdesk")  # Walt waiting, and Vera's new line
    assert chimes(alice) == 3
    assert alice.evaluate("window.notifications")[-1] == {"title": "New message", "body": "Vera"}
    to_front(alice)
    expect(alice).to_have_title("(1) Chat · Helpdesk")

    # A colleague offers her a chat.
    bob = login(new_page(), "bob")
    answer_incoming(bob, "Walt")
    expect(alice).to_have_title("Chat · Helpdesk")
    to_background(alice)
    transfer_to(bob, "Alice Andersson")
    expect(session_entry(alice, "Walt")).to_contain_text("Transferred to you")
    assert chimes(alice) == 4
    assert alice.evaluate("window.notifications")[-1] == {"title": "Transfer offered to you", "body": "Walt"}
    alice.evaluate("window.lastNotification.onclick()")
    expect_chat_open(alice, "Walt")


def test_the_agents_chat_header_follows_the_visitor_around_the_host_page(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = new_page(locale="en-GB", timezone_id="Europe/Stockholm")
    visitor.goto("/demo/")
    visitor.get_by_role("button", name="Chat", exact=True).click()
    widget = visitor.frame_locator("#helpdesk-chat-frame")
    fill_prechat_form(widget, "Vera", "Do you ship to Norway?")

    answer_incoming(alice, "Vera")
    current_page = chat_panel(alice).locator(".visitor-page")
    expect(current_page).to_contain_text("Example Ltd · Widget demo")

    visitor.evaluate("history.pushState({}, '', '/demo/?shipping'); document.title = 'Shipping · Example Ltd'")

    expect(current_page).to_contain_text("Shipping · Example Ltd")
    expect(current_page.get_by_role("link")).to_have_attribute("href", re.compile(r"/demo/\?shipping$"))
    details = chat_panel(alice).locator(".visitor-details")
    details.get_by_text("Details", exact=True).click()
    expect(details.locator(".visitor-pages li")).to_have_count(2)
    expect(details).to_contain_text("Europe/Stockholm")
    expect(details).to_contain_text("en-GB")
    expect(details).to_contain_text("Chrome")
    visitor_says(widget, "Thanks")
