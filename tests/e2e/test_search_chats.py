"""Search chats in a real browser: maria finds a colleague's past chat by a word from its messages and
reads it, with its transfer history."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chat.models import ChatSession, Message
from transfers.models import Transfer

pytestmark = pytest.mark.django_db(transaction=True)


def test_maria_finds_a_colleagues_past_chat_by_a_word_and_reads_it(demo_team, new_page, login):
    chat = ChatSession.objects.create(
        channel=demo_team.channel, owner=demo_team.bob, status=ChatSession.Status.ENDED, ended_at=timezone.now(),
        end_reason=ChatSession.EndReason.AGENT, visitor_name="Vera Jansen", visitor_email="vera@example.org",
    )
    Message.objects.create(session=chat, kind=Message.Kind.VISITOR, body="My umbrella arrived broken")
    Message.objects.create(session=chat, kind=Message.Kind.AGENT, author=demo_team.bob, body="We will send a new one")
    Transfer.objects.create(
        session=chat, from_agent=demo_team.alice, to_agent=demo_team.bob, requested_by=demo_team.alice,
        status=Transfer.Status.ACCEPTED, decided_at=timezone.now(), decided_by=demo_team.bob,
    )
    maria = login(new_page(), "maria")

    maria.get_by_role("link", name="Search chats").click()
    maria.get_by_label("Search chats").fill("umbrella")
    maria.get_by_role("button", name="Search").click()
    hit = maria.locator(".search-results li", has_text="Vera Jansen")
    expect(hit.locator("mark")).to_have_text("umbrella")
    hit.get_by_role("link", name="Vera Jansen").click()

    expect(maria.locator(".transcript")).to_contain_text("My umbrella arrived broken")
    expect(maria.locator(".transcript")).to_contain_text("We will send a new one")
    history = maria.locator(".history")
    expect(history).to_contain_text("Transfer history (1)")
    expect(history).to_contain_text("Alice Andersson")
