"""When a visitor's request fails: the widget's error line shows a refusal's reason, its own sentence in the
visitor's language for a server error or a lost connection (never a server's error page as text), and a
refused pre-chat form comes back with its reason in it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chat.models import ChatSession
from tests.e2e.flows import WIDGET_URL

pytestmark = pytest.mark.django_db(transaction=True)

SERVER_ERROR_PAGE = "<!DOCTYPE html><html><body><h1>Server Error (500)</h1></body></html>"


def test_a_server_error_and_a_lost_connection_show_the_widgets_own_line_in_dutch(demo_team, new_page):
    session = ChatSession.objects.create(
        channel=demo_team.channel, visitor_name="Vera", status=ChatSession.Status.ACTIVE, owner=demo_team.alice,
        answered_at=timezone.now(),
    )
    visitor = new_page(locale="nl-NL")
    sending = re.compile(r"/messages/$")
    visitor.route(sending, lambda route: route.fulfill(status=500, content_type="text/html", body=SERVER_ERROR_PAGE))
    visitor.goto(f"{WIDGET_URL}#token={session.token}")
    error_line = visitor.locator("#widget-error")

    visitor.get_by_label("Bericht", exact=True).fill("Waar is mijn pakket?")
    visitor.get_by_role("button", name="Verzenden", exact=True).click()
    expect(error_line).to_have_text("Er is iets misgegaan. Laad de pagina opnieuw en probeer het nog eens.")

    visitor.unroute(sending)
    visitor.route(sending, lambda route: route.abort("internetdisconnected"))
    visitor.get_by_role("button", name="Verzenden", exact=True).click()
    expect(error_line).to_have_text("Geen verbinding.")


def test_a_refused_pre_chat_form_comes_back_with_its_reason_and_what_was_typed(alice_at_work, new_page):
    visitor = new_page()
    visitor.goto(WIDGET_URL)

    visitor.get_by_label("Name", exact=True).fill("   ")
    visitor.get_by_label("Question", exact=True).fill("Do you ship to Norway?")
    visitor.get_by_role("button", name="Start chat").click()

    expect(visitor.locator("#prechat-form").get_by_role("alert")).to_have_text("Please tell us your name.")
    expect(visitor.get_by_label("Question", exact=True)).to_have_value("Do you ship to Norway?")
    expect(visitor.locator("#widget-error")).to_be_hidden()
    assert not ChatSession.objects.exists()
