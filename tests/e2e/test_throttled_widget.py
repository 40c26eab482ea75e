"""A script flooding the chat start from one page is throttled, and a person on that page is told why and
when to try again, in their language, with what they typed still in the form."""

import re

import pytest
from playwright.sync_api import expect

from chat.models import ChatSession
from tests.e2e.flows import WIDGET_URL

pytestmark = pytest.mark.django_db(transaction=True)

FLOOD = """async (count) => {
  const statuses = [];
  for (let n = 0; n < count; n++) {
    const body = new URLSearchParams({name: "Spam " + n, question: "spam"});
    statuses.push((await fetch("start/", {method: "POST", body})).status);
  }
  return statuses;
}"""


def test_a_flood_of_chat_starts_is_throttled_and_the_visitor_keeps_what_they_typed(alice_at_work, new_page):
    visitor = new_page(locale="sv-SE")
    visitor.goto(WIDGET_URL)

    statuses = visitor.evaluate(FLOOD, 12)
    visitor.get_by_label("Namn", exact=True).fill("Vera")
    visitor.get_by_label("Fråga", exact=True).fill("Skickar ni till Norge?")
    visitor.get_by_role("button", name="Starta chatt").click()

    assert statuses == [200] * 10 + [429] * 2
    expect(visitor.locator("#widget-error")).to_have_text(
        re.compile(r"^Du har startat för många chattar på kort tid\. Försök igen om \d+ (sekunder|sekund|minut)\.$")
    )
    expect(visitor.get_by_label("Namn", exact=True)).to_have_value("Vera")
    expect(visitor.get_by_label("Fråga", exact=True)).to_have_value("Skickar ni till Norge?")
    expect(visitor.get_by_role("button", name="Starta chatt")).to_be_enabled()
    assert ChatSession.objects.count() == 10
