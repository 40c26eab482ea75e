"""Find the customer and create a request, in real browsers: the agent links the contact the chat panel
suggests, chooses Menu -> Create request, and sends the request's number to the visitor."""

import re

import pytest
from playwright.sync_api import expect

from helpdesk.models import Contact, Request
from tests.e2e.flows import (
    WIDGET_URL,
    agent_says,
    answer_next_in_queue,
    chat_panel,
    choose_from_menu,
    fill_prechat_form,
    message_box,
    visitor_says,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)


def contact_side(page):
    return chat_panel(page).locator(".contact-side")


def test_the_agent_links_the_suggested_contact_and_creates_a_request_with_the_transcript(
    demo_team, new_page, login
):
    vera = Contact.objects.create(
        first_name="Vera", last_name="Jansen", email="vera.jansen@example.org", company="Acme"
    )
    alice = login(new_page(), "alice")
    visitor = new_page()
    visitor.goto(WIDGET_URL)
    fill_prechat_form(visitor, "Vera Jansen", "My parcel never arrived", email="Vera.Jansen@example.org")
    answer_next_in_queue(alice, "Vera Jansen")
    visitor_says(visitor, "Order 1234, sent on Monday.")
    agent_says(alice, "Let me ask the warehouse.")

    # The contact panel suggests Vera by her email; Alice links her.
    side = contact_side(alice)
    expect(side).to_contain_text("This contact could be...")
    side.get_by_role("button", name="Link").click()
    expect(side.get_by_role("button", name="Change contact")).to_be_visible()
    expect(side).to_contain_text("Acme")
    expect(side).not_to_contain_text("This contact could be...")

    # Menu -> Create request: the title comes from the question, the linked contact is shown.
    choose_from_menu(alice, "Create request")
    form = chat_panel(alice).locator("form.request-form")
    expect(form.get_by_label("Title")).to_have_value("My parcel never arrived")
    expect(form).to_contain_text("Vera Jansen (Acme)")
    form.get_by_label("Assigned to").select_option(label="Bob de Boer")
    form.get_by_role("button", name="Create request").click()

    # "Request #N" waits in the Message box for Alice to send.
    expect(message_box(alice)).to_have_value(re.compile(r"^Request #\d+$"))
    created = Request.objects.get()
    expect(message_box(alice)).to_have_value(f"Request #{created.pk}")
    expect(side).to_contain_text(f"#{created.pk}")  # the contact's requests, updated live

    assert (created.source, created.contact, created.assigned_to, created.created_by) == (
        Request.Source.CHAT, vera, demo_team.bob, demo_team.alice
    )
    assert created.title == "My parcel never arrived"
    assert "Vera Jansen: Order 1234, sent on Monday." in created.body
    assert "Alice Andersson: Let me ask the warehouse." in created.body

    chat_panel(alice).get_by_role("button", name="Send", exact=True).click()
    expect(widget_transcript(visitor)).to_contain_text(f"Request #{created.pk}")
