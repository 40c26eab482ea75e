"""The whole transfer flow in Dutch, in real browsers: a Dutch visitor in the widget, and two Dutch agents
(Alice through her browser's language, Bob through the language he chose in the workspace) who hand the
chat over with SuperOffice's Dutch words. Every screen here, first render and live push alike, must
speak Dutch: the English button names and lines must not leak in.

The words are those of locale/nl/LC_MESSAGES/django.po, which follows SuperOffice's Dutch help pages
(reference/superoffice-transfer-to-agent.nl.md): Overbrengen, Overbrengen naar, Overdracht accepteren,
Overdracht afwijzen, Overdracht annuleren, luistermodus, Venster sluiten. "Menu" is Dutch as well.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.flows import (
    WIDGET_URL,
    chat_panel,
    expect_chat_open,
    panel_transcript,
    session_entry,
    widget_status,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)

# English names of the controls on these screens whose Dutch name differs ("Menu" and "Emoji" do not).
ENGLISH_AGENT_CONTROLS = [
    "Transfer", "Accept transfer", "Reject transfer", "Cancel transfer", "Close window", "End chat", "Send",
    "Cancel", "Create request", "Get next in queue", "Insert text", "Send a file",
]
ENGLISH_AGENT_FIELDS = ["Message", "Transfer to", "Note for your colleague"]
ENGLISH_AGENT_LINES = re.compile(
    r"wants to transfer|Waiting for|listening mode|joined the chat|rejected the transfer|transfer was cancelled"
    r"|cancelled the transfer|Transferred to you|Transfer to .* waiting|Listening|Transfer history|Pick a chat"
    r"|Owner|Pending|Accepted|Rejected|Cancelled"
)
ENGLISH_VISITOR_CONTROLS = ["Send", "End chat", "Start chat", "Send a file"]
ENGLISH_VISITOR_LINES = re.compile(r"You are chatting with|You are now chatting with|Please wait|in the queue")


def expect_no_english(scope: Locator, controls, lines, fields=()) -> None:
    """None of these English names or lines anywhere in scope, shown or hidden (a closed Menu included).

    Call it after the Dutch content has been seen, so the check looks at the rendered screen."""
    for name in controls:
        expect(scope.get_by_role("button", name=name, exact=True, include_hidden=True)).to_have_count(0)
    for label in fields:
        expect(scope.get_by_label(label, exact=True)).to_have_count(0)
    expect(scope).not_to_contain_text(lines)


def expect_agent_screen_in_dutch(page: Page) -> None:
    expect_no_english(chat_panel(page), ENGLISH_AGENT_CONTROLS, ENGLISH_AGENT_LINES, ENGLISH_AGENT_FIELDS)
    expect_no_english(page.locator("#sessions-list"), [], ENGLISH_AGENT_LINES)


def expect_widget_in_dutch(widget: Page) -> None:
    expect_no_english(widget.locator("body"), ENGLISH_VISITOR_CONTROLS, ENGLISH_VISITOR_LINES, ["Message"])


def start_dutch_visitor_chat(page: Page, name: str, question: str) -> Page:
    """The widget in a Dutch browser: the pre-chat form's Naam, E-mail, Vraag and "Chat starten"."""
    page.goto(WIDGET_URL)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("E-mail", exact=True).fill(f"{name.lower()}@example.nl")
    page.get_by_label("Vraag", exact=True).fill(question)
    page.get_by_role("button", name="Chat starten", exact=True).click()
    expect(page.get_by_role("button", name="Chat beëindigen", exact=True)).to_be_visible()
    expect(widget_status(page)).to_contain_text("U bent nummer 1 in de wachtrij.")
    return page


def choose_dutch_language(page: Page) -> None:
    """The workspace's language switch: the agent's own choice, kept in their profile."""
    page.get_by_role("group", name="Language").get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def answer_next_in_queue_in_dutch(page: Page, visitor_name: str) -> None:
    page.get_by_role("tab", name="Chats", exact=True).click()
    page.get_by_role("button", name="Volgende in wachtrij ophalen", exact=True).click()
    expect_chat_open(page, visitor_name)
    expect(dutch_message_box(page)).to_be_visible()


def dutch_message_box(page: Page) -> Locator:
    return chat_panel(page).get_by_label("Bericht", exact=True)


def agent_says_in_dutch(page: Page, text: str) -> None:
    dutch_message_box(page).fill(text)
    chat_panel(page).get_by_role("button", name="Verzenden", exact=True).click()
    expect(dutch_message_box(page)).to_have_value("")
    expect(panel_transcript(page)).to_contain_text(text)


def visitor_says_in_dutch(widget: Page, text: str) -> None:
    box = widget.get_by_label("Bericht", exact=True)
    box.fill(text)
    widget.get_by_role("button", name="Verzenden", exact=True).click()
    expect(box).to_have_value("")
    expect(widget_transcript(widget)).to_contain_text(text)


def choose_from_dutch_menu(page: Page, item: str) -> None:
    chat_panel(page).get_by_role("button", name="Menu", exact=True).click()
    chat_panel(page).get_by_role("menuitem", name=item, exact=True).click()


def transfer_in_dutch(page: Page, colleague: str, note: str) -> None:
    """Menu -> Overbrengen, the colleague in "Overbrengen naar", the note, then "Overbrengen"."""
    choose_from_dutch_menu(page, "Overbrengen")
    form = page.locator("form.transfer-form")
    form.get_by_label("Overbrengen naar", exact=True).select_option(label=colleague)
    form.get_by_label("Notitie voor uw collega", exact=True).fill(note)
    form.get_by_role("button", name="Overbrengen", exact=True).click()
    expect(form).to_be_hidden()


def transfer_bar(page: Page) -> Locator:
    return chat_panel(page).locator(".transfer-bar")


def transfer_history(page: Page) -> Locator:
    return chat_panel(page).locator(".history")


def dutch_team(new_page, login, visitor_question: str):
    """Alice's browser asks for Dutch; Bob's asks for English, but Bob chose Nederlands himself."""
    alice = login(new_page(locale="nl-NL"), "alice")
    bob = login(new_page(locale="en-US"), "bob")
    choose_dutch_language(bob)
    visitor = start_dutch_visitor_chat(new_page(locale="nl-NL"), "Vera", visitor_question)
    answer_next_in_queue_in_dutch(alice, "Vera")
    expect(widget_status(visitor)).to_have_text("U chat met Alice.")
    return alice, bob, visitor


def offer_to_bob(alice: Page, bob: Page, note: str) -> None:
    """Alice offers the chat to Bob; it opens by itself in Bob's panel, with the offer in Dutch."""
    transfer_in_dutch(alice, "Bob de Boer", note)
    expect(transfer_bar(alice)).to_contain_text("Wachten tot Bob de Boer de overdracht accepteert.")
    expect(transfer_bar(alice)).to_contain_text(note)
    expect(transfer_history(alice)).to_contain_text("Overdrachtsgeschiedenis (1)")
    expect(transfer_history(alice)).to_contain_text("In afwachting")
    expect(session_entry(alice, "Vera")).to_contain_text("Overdracht naar Bob wacht")

    expect_chat_open(bob, "Vera")
    expect(transfer_bar(bob)).to_contain_text("Alice Andersson wil deze chat naar u overbrengen.")
    expect(transfer_bar(bob)).to_contain_text(f"Notitie: {note}")
    expect(session_entry(bob, "Vera")).to_contain_text("Naar u overgebracht")


def test_a_dutch_team_hands_a_dutch_visitors_chat_over_in_dutch(demo_team, new_page, login):
    alice, bob, visitor = dutch_team(new_page, login, "Waar is mijn bestelling?")
    expect(panel_transcript(alice)).to_contain_text("Waar is mijn bestelling?")
    expect(panel_transcript(alice)).to_contain_text("Alice Andersson neemt deel aan de chat.")
    expect(widget_transcript(visitor)).to_contain_text("U chat nu met Alice.")
    agent_says_in_dutch(alice, "Ik kijk het even na.")
    expect(widget_transcript(visitor)).to_contain_text("Ik kijk het even na.")

    # Menu -> Overbrengen: "Overbrengen naar" lists the Present colleagues, in Dutch.
    choose_from_dutch_menu(alice, "Overbrengen")
    form = alice.locator("form.transfer-form")
    expect(form.get_by_label("Overbrengen naar", exact=True).locator("option")).to_contain_text(
        ["Kies een collega", "Bob de Boer"]
    )
    expect(form.get_by_role("button", name="Annuleren", exact=True)).to_be_visible()
    expect_agent_screen_in_dutch(alice)
    form.get_by_role("button", name="Annuleren", exact=True).click()
    expect(form).to_be_hidden()

    offer_to_bob(alice, bob, "Vraag over bestelling 1234.")
    expect(alice.get_by_role("button", name="Overdracht annuleren", exact=True)).to_be_visible()
    expect_agent_screen_in_dutch(alice)
    accept = bob.get_by_role("button", name="Overdracht accepteren", exact=True)
    expect(accept).to_be_visible()
    expect(bob.get_by_role("button", name="Overdracht afwijzen", exact=True)).to_be_visible()
    expect_agent_screen_in_dutch(bob)

    accept.click()
    expect(dutch_message_box(bob)).to_be_visible()
    expect(panel_transcript(bob)).to_contain_text("Ik kijk het even na.")  # Bob reads what came before
    agent_says_in_dutch(bob, "Hallo Vera, ik help u verder.")
    expect(panel_transcript(bob)).to_contain_text("Bob de Boer neemt deel aan de chat.")
    expect_agent_screen_in_dutch(bob)

    # The visitor sees, in Dutch, that Bob now answers.
    expect(widget_status(visitor)).to_have_text("U chat met Bob.")
    expect(widget_transcript(visitor)).to_contain_text("U chat nu met Bob.")
    expect(widget_transcript(visitor)).to_contain_text("Hallo Vera, ik help u verder.")
    expect_widget_in_dutch(visitor)

    # Alice listens: she follows the chat live but cannot reply.
    expect(transfer_bar(alice)).to_have_text(
        "U bent in de luistermodus: Bob de Boer chat nu met de bezoeker. U kunt de chat volgen, maar niet antwoorden."
    )
    expect(panel_transcript(alice)).to_contain_text("Hallo Vera, ik help u verder.")
    expect(chat_panel(alice).locator(".panel-header")).to_contain_text("Eigenaar: Bob de Boer")
    expect(transfer_history(alice)).to_contain_text("Geaccepteerd")
    expect(dutch_message_box(alice)).to_have_count(0)
    expect(session_entry(alice, "Vera")).to_contain_text("Luistermodus")
    visitor_says_in_dutch(visitor, "Dank u, Bob.")
    expect(panel_transcript(alice)).to_contain_text("Dank u, Bob.")
    expect(panel_transcript(bob)).to_contain_text("Dank u, Bob.")
    expect_agent_screen_in_dutch(alice)

    choose_from_dutch_menu(alice, "Venster sluiten")
    expect(chat_panel(alice)).to_have_text(
        "Kies een chat in de lijst met sessies of haal de volgende in de wachtrij op."
    )
    expect(session_entry(alice, "Vera")).to_have_count(0)
    expect_agent_screen_in_dutch(alice)


def test_bob_rejects_the_transfer_in_dutch_and_alice_carries_on(demo_team, new_page, login):
    alice, bob, visitor = dutch_team(new_page, login, "Kan ik mijn adres wijzigen?")
    offer_to_bob(alice, bob, "Adreswijziging.")

    bob.get_by_role("button", name="Overdracht afwijzen", exact=True).click()
    expect(chat_panel(bob)).to_have_text(
        "Kies een chat in de lijst met sessies of haal de volgende in de wachtrij op."
    )
    expect(session_entry(bob, "Vera")).to_have_count(0)
    expect_agent_screen_in_dutch(bob)

    expect(transfer_bar(alice)).to_have_text("Bob de Boer heeft de overdracht afgewezen. U kunt doorgaan met de chat.")
    expect(transfer_history(alice)).to_contain_text("Afgewezen")
    expect(session_entry(alice, "Vera")).not_to_contain_text("Overdracht naar Bob wacht")
    agent_says_in_dutch(alice, "Ik help u zelf verder.")
    expect(widget_transcript(visitor)).to_contain_text("Ik help u zelf verder.")
    expect(widget_status(visitor)).to_have_text("U chat met Alice.")
    expect_agent_screen_in_dutch(alice)
    expect_widget_in_dutch(visitor)


def test_alice_cancels_the_transfer_in_dutch_and_bob_is_told(demo_team, new_page, login):
    alice, bob, visitor = dutch_team(new_page, login, "Wanneer bent u open?")
    offer_to_bob(alice, bob, "Openingstijden.")

    alice.get_by_role("button", name="Overdracht annuleren", exact=True).click()
    expect(transfer_bar(alice)).to_have_text("De overdracht is geannuleerd. U kunt doorgaan met de chat.")
    expect(transfer_history(alice)).to_contain_text("Geannuleerd")
    expect(session_entry(alice, "Vera")).not_to_contain_text("Overdracht naar Bob wacht")
    expect(dutch_message_box(alice)).to_be_visible()
    expect_agent_screen_in_dutch(alice)

    expect(chat_panel(bob)).to_contain_text("Alice Andersson heeft de overdracht geannuleerd.")
    expect(bob.get_by_role("button", name="Overdracht accepteren", exact=True)).to_have_count(0)
    expect(session_entry(bob, "Vera")).to_have_count(0)
    expect_agent_screen_in_dutch(bob)
    expect(widget_status(visitor)).to_have_text("U chat met Alice.")
    expect_widget_in_dutch(visitor)
