"""WCAG 2.2 AA in a real browser: axe-core over every page and state of the widget and the workspace, in
English, Dutch and Swedish.

axe-core comes from the npm registry at the version package-lock.json pins (`make test` runs `npm ci`).
The pages' Content-Security-Policy allows no inline script, so axe goes in as an init script of this test's
own browser context (Playwright adds it through the DevTools protocol, which the CSP does not govern); no
page of the product is changed for it. Each language is one browser context and one walk through the
states (a second context for bob, who is offered a transfer and the meeting), and every state's violations are gathered first, so one failing run lists them all.

The walk is driven by ids and URLs, not by visible words, so it reads the same in each language.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from meetings.invitations import cancel_signature
from meetings.models import Meeting
from tests.e2e.flows import WIDGET_URL, expect_chat_open, transfer_bar

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


class AxeWalk:
    """Runs axe on a page in one named state and keeps what it found, for one report at the end."""

    def __init__(self, language: str):
        self.language = language
        self.found: list[str] = []

    def check(self, page: Page, state: str) -> None:
        page.wait_for_load_state()
        for violation in page.evaluate(RUN_AXE, WCAG_AA):
            nodes = "\n".join(f"      {node['target']}: {node['summary']}" for node in violation["nodes"])
            self.found.append(f"[{self.language}] {state}: {violation['id']} ({violation['impact']}) "
                              f"{violation['help']}\n{nodes}")

    def assert_clean(self) -> None:
        assert not self.found, f"{len(self.found)} axe violation(s):\n" + "\n".join(self.found)


def page_with_axe(new_page, locale: str) -> Page:
    """A page in a new browser context whose every document (frames too) has axe-core loaded."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test`, which installs axe-core with `npm ci`.")
    page = new_page(locale=locale)
    page.context.add_init_script(path=str(AXE))
    return page


@pytest.mark.parametrize("locale", ["en-US", "nl-NL", "sv-SE"])
def test_every_page_and_state_has_no_wcag_aa_violations(locale, demo_team, new_page, login):
    walk = AxeWalk(locale.split("-")[0])
    widget = page_with_axe(new_page, locale)

    # The widget with nobody Present: the offline form, and its thanks (a request for the Requests pages).
    widget.goto(WIDGET_URL)
    expect(widget.locator("#offline-form")).to_be_visible()
    walk.check(widget, "widget, offline form")
    widget.locator("#offline-name").fill("Olga")
    widget.locator("#offline-email").fill("olga@example.org")
    widget.locator("#offline-message").fill("Please call me back.")
    widget.locator("#offline-form button[type=submit]").click()
    expect(widget.locator(".widget-thanks")).to_be_visible()
    walk.check(widget, "widget, offline message left")

    alice = login(widget.context.new_page(), "alice")
    walk.check(alice, "Dashboard, nobody waiting")

    # The widget's pre-chat form, then the queue.
    widget.goto(WIDGET_URL)
    expect(widget.locator("#prechat-form")).to_be_visible()
    walk.check(widget, "widget, pre-chat form")
    widget.locator("#prechat-name").fill("Vera")
    widget.locator("#prechat-email").fill("vera@example.org")
    widget.locator("#prechat-question").fill("Where is my order?")
    widget.locator("#prechat-form button[type=submit]").click()
    expect(widget.locator("#widget-message")).to_be_visible()
    walk.check(widget, "widget, in the queue")

    expect(alice.locator("#incoming-list tr[data-session-id]")).to_have_count(1)
    walk.check(alice, "Dashboard, a chat waiting in Incoming chat")

    # alice takes it: the Chats tab with the chat open, its Menu, the Transfer form.
    bob = login(page_with_axe(new_page, locale), "bob")
    alice.locator("#tab-chats").click()
    alice.locator("button[hx-post$='/chats/next/']").click()
    expect_chat_open(alice, "Vera")
    alice.locator("#chat-panel textarea[name=body]").fill("Hello Vera")
    alice.locator("#chat-panel textarea[name=body]").press("Enter")
    expect(alice.locator("#chat-panel .transcript .message.agent")).to_have_count(1)
    expect(widget.locator("#widget-transcript .message.agent")).to_have_count(1)
    walk.check(widget, "widget, chatting")
    walk.check(alice, "Chats, a chat open")

    # Who the visitor is, and the meeting booker: alice shows bob's calendar, Vera books a time from it.
    alice.locator("#chat-panel details.visitor-details > summary").click()
    walk.check(alice, "Chats, the visitor's details")
    alice.locator("#chat-panel [id^=book-meeting-]").click()
    booker = alice.locator("#chat-panel .meeting-book-form")
    expect(booker).to_be_visible()
    walk.check(alice, "Chats, Book a meeting")
    booker.locator("select").select_option(value=str(demo_team.bob.pk))
    booker.locator("button.primary").click()
    card = widget.locator("#widget-transcript .meeting-card")
    expect(card.locator("button.meeting-time").first).to_be_visible()
    walk.check(widget, "widget, a colleague's calendar")
    card.locator("button.meeting-time").first.click()
    expect(card.locator("form.meeting-confirm")).to_be_visible()
    walk.check(widget, "widget, Confirm meeting")
    card.locator("form.meeting-confirm button[type=submit]").click()
    expect(card.locator(".meeting-booked")).to_be_visible()
    walk.check(widget, "widget, meeting booked")
    walk.check(alice, "Chats, a meeting booked in the transcript")
    alice.locator("#chat-panel [data-menu-toggle]").click()
    walk.check(alice, "Chats, the chat's Menu open")
    alice.locator("#chat-panel [data-show^='#transfer-form']").click()
    expect(alice.locator("#chat-panel form.transfer-form")).to_be_visible()
    walk.check(alice, "Chats, the Transfer form")

    # alice offers it to bob: "Transfer waiting" for her, the offer for him; he accepts: listening mode.
    alice.locator("#chat-panel form.transfer-form select").select_option(value=str(demo_team.bob.pk))
    alice.locator("#chat-panel form.transfer-form textarea").fill("She asks about an order.")
    alice.locator("#chat-panel form.transfer-form button[type=submit]").click()
    expect(alice.locator("#sessions-list li.transfer-waiting")).to_have_count(1)
    walk.check(alice, "Chats, a transfer waiting for a colleague")
    expect_chat_open(bob, "Vera")
    walk.check(bob, "Chats, a transfer offered to me")
    transfer_bar(bob).locator("button[hx-post$='/accept/']").click()
    expect(bob.locator("#chat-panel textarea[name=body]")).to_be_visible()
    expect(alice.locator("#chat-panel textarea[name=body]")).to_have_count(0)
    walk.check(alice, "Chats, listening mode")

    # The visitor ends their chat: the post-chat form.
    widget.once("dialog", lambda dialog: dialog.accept())
    widget.locator("#widget-composer button.end").click()
    expect(widget.locator("#widget-postchat form")).to_be_visible()
    walk.check(widget, "widget, post-chat form")

    # The pages beside the workspace, and the admin's own, as the manager.
    alice.goto("/search/?q=order")
    walk.check(alice, "Search chats")
    alice.locator("main a[href*='/search/chats/']").first.click()
    expect(alice.locator(".transcript")).to_contain_text("Where is my order?")
    walk.check(alice, "Search chats, a transcript")
    alice.goto("/requests/?show=all")
    walk.check(alice, "Requests")
    alice.locator("main tr[data-request-id]").filter(has_text="Olga").locator("a").click()
    expect(alice.locator("main")).to_contain_text("Please call me back.")
    walk.check(alice, "Requests, a request")
    bob.locator("#tab-dashboard").click()
    expect(bob.locator("#upcoming-meetings li:not(.empty)")).to_have_count(1)
    walk.check(bob, "Dashboard, upcoming meetings")
    bob.goto(reverse("meeting_hours"))
    walk.check(bob, "Working hours")
    widget.goto(reverse("meeting_cancel", args=[cancel_signature(Meeting.objects.get())]))
    walk.check(widget, "the visitor's cancel page")
    maria = login(widget.context.new_page(), "maria")
    maria.goto("/reports/")
    expect(maria.locator("main.reports")).to_be_visible()
    walk.check(maria, "Reports")
    maria.goto("/admin/chat/chatsession/")
    walk.check(maria, "admin, chat sessions (live list)")
    maria.locator("input[name=_selected_action]").first.check()
    maria.locator("select[name=action]").select_option("transfer_to")
    maria.locator("button[name=index]").click()
    walk.check(maria, "admin, Transfer to")

    walk.assert_clean()
