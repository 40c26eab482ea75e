"""A script flooding the chat start from one page is throttled, and a person on that page is told why and
when to try again, in their language, with what they typed still in the form."""

import re
import time

import pytest
from playwright.sync_api import expect

from chat.models import ChatSession
from tests.e2e.flows import WIDGET_URL

pytestmark = pytest.mark.django_db(transaction=True)

# Starts chats from the page as a script would, until the server refuses one; returns the answers and the
# refusal's Retry-After.
FLOOD = """async (most) => {
  const statuses = [];
  for (let n = 0; n < most; n++) {
    const response = await fetch("start/", {method: "POST", body: new URLSearchParams({name: "Spam " + n})});
    statuses.push(response.status);
    if (response.status === 429) return {statuses, retryAfter: Number(response.headers.get("Retry-After"))};
  }
  return {statuses, retryAfter: 0};
}"""
# The counts are per fixed window: a flood refused just before the window ends is let in again after it.
# The test's own click must land in the same window as the refusal it expects.
ROOM_SECONDS = 10


def flood_until_refused(page):
    flood = page.evaluate(FLOOD, 25)
    if flood["retryAfter"] < ROOM_SECONDS:
        time.sleep(flood["retryAfter"] + 1)
        flood = page.evaluate(FLOOD, 25)
    return flood


def test_a_flood_of_chat_starts_is_throttled_and_the_visitor_keeps_what_they_typed(alice_at_work, new_page):
    visitor = new_page(locale="sv-SE")
    visitor.goto(WIDGET_URL)

    flood = flood_until_refused(visitor)
    visitor.get_by_label("Namn", exact=True).fill("Vera")
    visitor.get_by_label("Fråga", exact=True).fill("Skickar ni till Norge?")
    visitor.get_by_role("button", name="Starta chatt").click()

    assert flood["statuses"][-1] == 429  # at most 10 a minute by default, 20 across a window's end
    expect(visitor.locator("#widget-error")).to_have_text(
        re.compile(r"^Du har startat för många chattar på kort tid\. Försök igen om \d+ sekunder\.$")
    )
    expect(visitor.get_by_label("Namn", exact=True)).to_have_value("Vera")
    expect(visitor.get_by_label("Fråga", exact=True)).to_have_value("Skickar ni till Norge?")
    expect(visitor.get_by_role("button", name="Starta chatt")).to_be_enabled()
    assert not ChatSession.objects.filter(visitor_name="Vera").exists()
