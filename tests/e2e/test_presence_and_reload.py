"""What survives a closed tab or a reload, in real browsers: a visitor who closes the widget's tab shows as
left on the agent's screen once the grace period has run out, and no longer once they are back; an agent's
reload keeps the chat open in the panel, and a pending offer opens again by itself.

The visitor's story runs on a Daphne with a two-second grace period (short_grace_server), so the test waits
seconds, not a minute.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import (
    WIDGET_URL,
    agent_says,
    answer_next_in_queue,
    chat_panel,
    expect_chat_open,
    session_entry,
    start_visitor_chat,
    transfer_bar,
    transfer_to,
    widget_status,
)

pytestmark = pytest.mark.django_db(transaction=True)

ALICE, BOB = "Alice Andersson", "Bob de Boer"


def panel_header(page):
    return chat_panel(page).locator(".panel-header")


def test_a_visitor_who_closes_the_tab_shows_as_left_and_no_longer_once_back(
    short_grace_server, demo_team, new_page, login
):
    alice = login(new_page(base_url=short_grace_server), "alice")
    visitor = start_visitor_chat(new_page(base_url=short_grace_server), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Alice.")
    visitors_browser = visitor.context

    visitor.close()

    expect(panel_header(alice)).to_contain_text("Visitor left")
    expect(session_entry(alice, "Vera")).to_contain_text("Visitor left")

    back = visitors_browser.new_page()
    back.goto(WIDGET_URL)  # the widget's token resumes the same chat
    expect(widget_status(back)).to_contain_text("You are chatting with Alice.")
    expect(panel_header(alice)).not_to_contain_text("Visitor left")
    expect(session_entry(alice, "Vera")).not_to_contain_text("Visitor left")


def expect_offer_open(page):
    expect_chat_open(page, "Vera")
    expect(transfer_bar(page)).to_contain_text(f"{ALICE} wants to transfer this chat to you.")


def test_a_reload_keeps_the_open_chat_and_a_pending_offer_opens_again(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    bob = login(new_page(), "bob")
    start_visitor_chat(new_page(), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")

    alice.reload()
    expect_chat_open(alice, "Vera")
    agent_says(alice, "Still here after a reload.")

    transfer_to(alice, BOB)
    expect_offer_open(bob)
    bob.reload()
    expect_offer_open(bob)

    # A chat the page remembers but may no longer open is forgotten without a word; the offer opens instead.
    bob.evaluate("id => sessionStorage.setItem('helpdesk-open-chat-' + id, '/chats/999999/')", demo_team.bob.pk)
    bob.reload()
    expect_offer_open(bob)
    expect(bob.locator("#flash")).to_be_hidden()
