"""Predefined text and emoji in real browsers: the agent inserts a reply template, edits and sends it; makes
a quick reply and calls it up with "/shortcut"; agent and visitor put emoji into their Message box."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    answer_next_in_queue,
    chat_panel,
    message_box,
    panel_transcript,
    start_visitor_chat,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)

WELCOME = "Hello, and thank you for contacting us! How can I help you today?"


def open_insert_text(page: Page):
    chat_panel(page).get_by_role("button", name="Insert text", exact=True).click()
    picker = page.get_by_role("dialog", name="Insert text")
    expect(picker).to_be_visible()
    return picker


def emoji(character: str) -> str:
    """A pattern for the emoji as the picker writes it: its data adds the emoji-style selector U+FE0F to
    characters that also have a plain text form (👍 becomes 👍️); both look the same to a person."""
    return re.escape(character) + "\ufe0f?"


def choose_emoji(page: Page, character: str, annotation: str) -> None:
    """Open the "Emoji" picker next to the Message box, search for its name, and click the emoji."""
    page.get_by_role("button", name="Emoji", exact=True).click()
    picker = page.get_by_role("dialog", name="Emoji")
    picker.get_by_role("combobox", name="Search").fill(annotation)
    picker.get_by_role("option", name=re.compile(f"^{emoji(character)}, {re.escape(annotation)}")).click()
    expect(picker).to_be_hidden()


@pytest.fixture
def chatting(demo_team, new_page, login):
    """Alice has answered Vera's chat: (alice's page, Vera's widget page)."""
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")
    return alice, visitor


def test_an_agent_inserts_a_reply_template_edits_it_and_the_visitor_receives_the_edited_text(chatting):
    alice, visitor = chatting
    box = message_box(alice)
    box.fill("Hi Vera! ")

    picker = open_insert_text(alice)
    expect(picker.get_by_role("heading", name="Reply templates")).to_be_visible()
    picker.get_by_label("Search", exact=True).fill("welcome")
    expect(picker.get_by_role("button", name=re.compile("^Opening hours"))).to_have_count(0)
    picker.get_by_role("button", name=re.compile(r"^Welcome \/welcome")).click()

    expect(picker).to_be_hidden()
    expect(box).to_have_value("Hi Vera! " + WELCOME)
    expect(box).to_be_focused()
    box.press("End")
    for _ in "How can I help you today?":  # the agent selects the template's last sentence and rewrites it
        box.press("Shift+ArrowLeft")
    box.type("Your order left our warehouse this morning.")
    box.press("Enter")

    edited = "Hi Vera! Hello, and thank you for contacting us! Your order left our warehouse this morning."
    expect(widget_transcript(visitor)).to_contain_text(edited)
    expect(widget_transcript(visitor)).not_to_contain_text("How can I help you today?")


def test_an_agent_makes_a_quick_reply_and_calls_it_up_with_its_shortcut_and_tab(chatting):
    alice, visitor = chatting
    picker = open_insert_text(alice)
    picker.get_by_role("button", name="New quick reply").click()
    picker.get_by_label("Title", exact=True).fill("Order number")
    picker.get_by_label("Shortcut", exact=True).fill("/order")
    picker.get_by_label("Text", exact=True).fill("Could you tell me your order number, please?")
    picker.get_by_label("Language", exact=True).select_option(label="English")
    picker.get_by_role("button", name="Save").click()
    expect(picker.get_by_role("button", name=re.compile(r"^Order number \/order"))).to_be_visible()
    expect(picker.get_by_label("Title", exact=True)).to_have_count(0)
    picker.get_by_role("button", name="Close").click()
    expect(picker).to_be_hidden()

    box = message_box(alice)
    box.click()
    box.type("Thanks! /order")
    box.press("Tab")

    expect(box).to_have_value("Thanks! Could you tell me your order number, please?")
    expect(box).to_be_focused()
    box.press("Enter")
    expect(widget_transcript(visitor)).to_contain_text("Thanks! Could you tell me your order number, please?")


def test_typing_a_slash_suggests_shortcuts_and_choosing_one_inserts_its_text(chatting):
    alice, _visitor = chatting
    box = message_box(alice)
    box.click()
    box.type("/mo")

    suggestions = alice.get_by_role("listbox", name="Predefined text")
    expect(suggestions.get_by_role("option")).to_have_count(1)  # alice's demo quick reply, /moment
    suggestions.get_by_role("option", name=re.compile(r"\/moment One moment")).click()

    expect(box).to_have_value("One moment please, I am looking into it for you.")
    expect(suggestions).to_be_hidden()


def test_the_emoji_picker_puts_an_emoji_at_the_cursor_for_the_agent_and_the_visitor(chatting):
    alice, visitor = chatting

    box = message_box(alice)
    box.fill("Thanks a lot")
    box.press("End")
    for _ in " a lot":
        box.press("ArrowLeft")
    choose_emoji(alice, "😀", "grinning face")
    expect(box).to_have_value(re.compile(f"^Thanks{emoji('😀')} a lot$"))

    visitors_box = visitor.get_by_label("Message", exact=True)
    visitors_box.fill("Great ")
    choose_emoji(visitor, "👍", "thumbs up")
    expect(visitors_box).to_have_value(re.compile(f"^Great {emoji('👍')}$"))
    visitor.get_by_role("button", name="Send", exact=True).click()
    expect(panel_transcript(alice)).to_contain_text(re.compile(f"Great {emoji('👍')}"))
