"""A flood cleared from the Dashboard in real browsers: a manager marks the queued spam chats in one go, a
colleague's Incoming chat list empties live, and the visitor of a spam chat sees it ended."""

import pytest
from playwright.sync_api import expect

from chat.models import BlockedAddress, ChatSession
from tests.e2e.flows import incoming_badge, incoming_row, start_visitor_chat, widget_status
from tests.factories import ChatSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_marks_the_queued_spam_as_spam_and_a_colleagues_list_empties_live(demo_team, new_page, login):
    for n in (1, 2):
        ChatSessionFactory(channel=demo_team.channel, visitor_name=f"Spam {n}", visitor_address="203.0.113.7")
    ChatSessionFactory(channel=demo_team.channel, visitor_name="Vera", question="Where is my order?")
    alice = login(new_page(), "alice")
    maria = login(new_page(), "maria")
    spammer = start_visitor_chat(new_page(), "Spammer", "Cheap watches")
    expect(incoming_row(alice, "Spammer")).to_be_visible()
    expect(incoming_badge(alice)).to_have_text("4")

    for name in ("Spam 1", "Spam 2", "Spammer"):
        maria.get_by_role("checkbox", name=f"Select the chat with {name}").check()
    maria.locator("#incoming-list").get_by_label("Block address for").select_option("1d")
    maria.once("dialog", lambda dialog: dialog.accept())
    maria.get_by_role("button", name="Mark selected as spam", exact=True).click()

    for page in (alice, maria):
        expect(page.locator("#incoming-list tbody tr")).to_have_count(1)
        expect(incoming_row(page, "Vera")).to_be_visible()
    expect(incoming_badge(alice)).to_have_text("1")
    expect(widget_status(spammer)).to_contain_text("The chat has ended.")
    expect(spammer.get_by_role("button", name="Return to chat")).to_have_count(0)
    assert ChatSession.objects.filter(end_reason=ChatSession.EndReason.SPAM).count() == 3
    assert set(BlockedAddress.objects.values_list("address", flat=True)) == {"203.0.113.7", "127.0.0.1"}
