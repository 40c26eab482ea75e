"""Dutch and Swedish in real browsers: the page, and the fragments pushed live over the websockets, are in
each person's language (their browser's, or the one an agent chose with the language switch), with
SuperOffice's own words."""

import pytest
from playwright.sync_api import Page, expect

from chat.models import Channel
from tests.e2e.flows import (
    WIDGET_URL,
    answer_next_in_queue,
    chat_panel,
    expect_chat_open,
    incoming_badge,
    incoming_row,
    panel_transcript,
    session_entry,
    start_visitor_chat,
    widget_status,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)


def incoming_list(page: Page):
    return page.locator("#incoming-list")


def test_a_dutch_agent_sees_the_workspace_and_its_live_updates_in_dutch(demo_team, new_page, login):
    alice = login(new_page(locale="nl-NL"), "alice")
    expect(alice.locator("html")).to_have_attribute("lang", "nl")
    expect(alice.get_by_role("heading", name="Binnenkomende chat")).to_be_visible()
    expect(alice.get_by_role("button", name="Aanwezig", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(alice.get_by_role("button", name="Afwezig", exact=True)).to_be_visible()
    expect(alice.get_by_role("heading", name="Offlineberichten", exact=True)).to_be_visible()
    expect(incoming_list(alice)).to_have_text("Er wacht niemand.")

    # The Dashboard's incoming list and badge arrive over the websocket, rendered in Dutch.
    visitor = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    expect(incoming_row(alice, "Vera")).to_be_visible()
    expect(incoming_list(alice).get_by_role("columnheader")).to_have_text(["Naam", "Vraag", "Wacht sinds", "Acties"])
    expect(incoming_badge(alice)).to_have_attribute("aria-label", "1 binnenkomende chat nog niet beantwoord")

    alice.get_by_role("tab", name="Chats", exact=True).click()
    expect(alice.get_by_text("In wachtrij:")).to_be_visible()
    alice.get_by_role("button", name="Volgende in wachtrij ophalen").click()
    panel = alice.locator("#chat-panel")
    expect(panel.get_by_label("Bericht", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Verzenden", exact=True)).to_be_visible()
    panel.get_by_role("button", name="Menu", exact=True).click()
    for item in ("Overbrengen", "Chat beëindigen"):
        expect(panel.get_by_role("menuitem", name=item, exact=True)).to_be_visible()

    # The chat panel's own socket pushes in Dutch too: the visitor ends the chat.
    visitor.once("dialog", lambda dialog: dialog.accept())
    visitor.get_by_role("button", name="End chat").click()
    expect(panel_transcript(alice)).to_contain_text("Vera heeft de chat beëindigd.")
    expect(panel.locator(".transfer-bar")).to_have_text("Deze chat is beëindigd.")


def test_the_language_switch_changes_the_workspace_and_the_agent_keeps_that_language(demo_team, new_page, login):
    bob = login(new_page(locale="en-US"), "bob")
    expect(bob.get_by_role("button", name="Present", exact=True)).to_be_visible()

    bob.get_by_role("group", name="Language").get_by_role("button", name="Svenska").click()
    expect(bob.locator("html")).to_have_attribute("lang", "sv")
    expect(bob.get_by_role("button", name="Närvarande", exact=True)).to_be_visible()
    expect(bob.get_by_role("button", name="Frånvarande", exact=True)).to_be_visible()
    expect(bob.get_by_role("tab", name="Chattar", exact=True)).to_be_visible()
    expect(bob.get_by_role("group", name="Språk").get_by_role("button", name="Svenska")).to_have_attribute(
        "aria-current", "true"
    )

    bob.reload()
    expect(bob.get_by_role("heading", name="Inkommande chatt")).to_be_visible()

    # Live pushes follow the chosen language, though the browser still asks for English.
    start_visitor_chat(new_page(), "Vera", "Where is my order?")
    expect(incoming_row(bob, "Vera")).to_be_visible()
    expect(incoming_list(bob).get_by_role("columnheader")).to_have_text(["Namn", "Fråga", "Väntar sedan", "Åtgärder"])

    # The choice is the agent's, not the browser's: it follows Bob to another, English, browser.
    elsewhere = login(new_page(locale="en-US"), "bob")
    elsewhere.get_by_role("tab", name="Chattar", exact=True).click()
    expect(elsewhere.get_by_role("button", name="Hämta nästa i kö")).to_be_visible()


def test_a_swedish_agent_who_hands_a_chat_over_is_in_lyssningslage_in_the_list_and_the_panel(
    demo_team, new_page, login
):
    """Listening mode is "lyssningsläge" in the sessions list's tag as in the banner (not the reference
    page's misspelt "lysningsläge")."""
    Channel.objects.filter(pk=demo_team.channel.pk).update(transfers_need_acceptance=False)
    alice = login(new_page(locale="sv-SE"), "alice")
    login(new_page(), "bob")
    start_visitor_chat(new_page(), "Vera", "Where is my order?")
    alice.get_by_role("tab", name="Chattar", exact=True).click()
    alice.get_by_role("button", name="Hämta nästa i kö").click()
    expect_chat_open(alice, "Vera")

    chat_panel(alice).get_by_label("Ägare", exact=True).select_option(label="Bob de Boer")

    expect(chat_panel(alice).locator(".transfer-bar")).to_contain_text("Du är i lyssningsläge: Bob de Boer chattar")
    expect(session_entry(alice, "Vera").locator(".tag")).to_have_text("Lyssningsläge")


def test_a_swedish_visitor_gets_the_widget_and_its_live_status_in_swedish(demo_team, new_page, login):
    alice = login(new_page(), "alice")

    visitor = new_page(locale="sv-SE")
    visitor.goto(WIDGET_URL)
    expect(visitor.locator("html")).to_have_attribute("lang", "sv")
    visitor.get_by_label("Namn", exact=True).fill("Vera")
    visitor.get_by_label("E-post", exact=True).fill("vera@example.org")
    visitor.get_by_label("Fråga", exact=True).fill("Var är min beställning?")
    visitor.get_by_role("button", name="Starta chatt").click()
    expect(widget_status(visitor)).to_contain_text("Du är nummer 1 i kön.")
    expect(visitor.get_by_label("Meddelande", exact=True)).to_be_visible()
    expect(visitor.get_by_role("button", name="Skicka", exact=True)).to_be_visible()
    expect(visitor.get_by_role("button", name="Avsluta chatt", exact=True)).to_be_visible()

    # An English agent answers: the visitor's status line and transcript are pushed in Swedish,
    # while the agent reads the same chat in English.
    answer_next_in_queue(alice, "Vera")
    expect(widget_status(visitor)).to_have_text("Du chattar med Alice.")
    expect(widget_transcript(visitor)).to_contain_text("Du chattar nu med Alice.")
    expect(panel_transcript(alice)).to_contain_text("joined the chat.")
