"""After the chat, while waiting, while typing, in real browsers: the post-chat form and "Return to chat",
the pop-up warning for a chat nobody answers, and each side seeing the other type."""

import pytest
from playwright.sync_api import expect

from chat.models import Channel, ChatSession
from helpdesk.models import AgentProfile
from tests.e2e.flows import (
    agent_says,
    answer_next_in_queue,
    chat_panel,
    expect_chat_open,
    incoming_row,
    message_box,
    panel_transcript,
    session_entry,
    start_visitor_chat,
    visitor_says,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)


def alert_popup(page):
    return page.locator("#alerts").get_by_role("alert")


def set_alert_after(channel, seconds):
    Channel.objects.filter(pk=channel.pk).update(unanswered_alert_seconds=seconds)


def set_away(*users):
    AgentProfile.objects.filter(user__in=users).update(status=AgentProfile.Status.AWAY)


def test_the_visitor_rates_the_chat_returns_to_it_and_the_agent_carries_on_live(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")
    agent_says(alice, "It ships today.")

    visitor.once("dialog", lambda dialog: dialog.accept())
    visitor.get_by_role("button", name="End chat").click()
    expect(panel_transcript(alice)).to_contain_text("Vera ended the chat.")

    visitor.get_by_role("radio", name="4 stars").check()
    visitor.get_by_label("Comment").fill("Quick and friendly.")
    visitor.get_by_role("button", name="Send feedback").click()
    expect(visitor.get_by_text("Thank you for your feedback!")).to_be_visible()
    session = ChatSession.objects.get(visitor_name="Vera")
    assert (session.rating, session.rating_comment) == (4, "Quick and friendly.")

    visitor.get_by_role("button", name="Return to chat").click()
    expect(widget_transcript(visitor)).to_contain_text("You returned to the chat.")
    expect(panel_transcript(alice)).to_contain_text("Vera returned to the chat.")
    expect(session_entry(alice, "Vera")).to_contain_text("Reactivated")

    agent_says(alice, "Welcome back! What else can I do?")
    expect(widget_transcript(visitor)).to_contain_text("Welcome back! What else can I do?")
    visitor_says(visitor, "Can I change the address?")
    expect(panel_transcript(alice)).to_contain_text("Can I change the address?")


def test_a_chat_nobody_answers_warns_a_present_agent_and_not_an_away_one(demo_team, new_page, login):
    set_alert_after(demo_team.channel, 1)
    set_away(demo_team.bob)
    alice = login(new_page(), "alice")
    bob = login(new_page(), "bob")

    start_visitor_chat(new_page(), "Vera", "Is anyone there?")
    expect(incoming_row(bob, "Vera")).to_be_visible()  # bob's Dashboard is live and knows the chat

    expect(alert_popup(alice)).to_contain_text("Vera is waiting for an answer.")
    expect(alert_popup(bob)).to_have_count(0)
    bob.reload()  # whatever bob's page missed, the page as the server renders it now
    expect(incoming_row(bob, "Vera")).to_be_visible()
    expect(alert_popup(bob)).to_have_count(0)

    alert_popup(alice).get_by_role("button", name="Answer").click()
    expect_chat_open(alice, "Vera")
    expect(message_box(alice)).to_be_visible()
    expect(alert_popup(alice)).to_have_count(0)


def test_a_dismissed_warning_stays_away_until_another_chat_waits_too_long(demo_team, new_page, login):
    set_alert_after(demo_team.channel, 1)
    alice = login(new_page(), "alice")

    start_visitor_chat(new_page(), "Vera", "Hello?")
    expect(alert_popup(alice)).to_contain_text("Vera")
    alert_popup(alice).get_by_role("button", name="Dismiss").click()
    expect(alert_popup(alice)).to_be_hidden()

    start_visitor_chat(new_page(), "Walter", "Hello too")
    expect(alert_popup(alice)).to_contain_text("Walter is waiting for an answer.")
    expect(alert_popup(alice).get_by_text("Vera is waiting for an answer.")).to_be_hidden()


def test_each_side_sees_the_other_typing(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Hello")
    answer_next_in_queue(alice, "Vera")
    agent_typing = chat_panel(alice).locator(".typing")
    visitor_typing = visitor.locator("#widget-typing")

    visitor.get_by_label("Message", exact=True).press_sequentially("Where is my ord")
    expect(agent_typing).to_have_text("Vera is typing…")
    visitor.get_by_label("Message", exact=True).press_sequentially("er?")
    visitor.get_by_role("button", name="Send", exact=True).click()
    expect(panel_transcript(alice)).to_contain_text("Where is my order?")
    expect(agent_typing).to_have_text("")  # the message came: nobody is typing any more

    message_box(alice).press_sequentially("Let me check")
    expect(visitor_typing).to_have_text("Alice is typing…")
    expect(visitor_typing).to_have_text("")  # and it goes by itself once she stops
