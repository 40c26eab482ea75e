"""A request worked to closed, in a real browser: a visitor leaves an offline message while every agent is
away; maria assigns it to herself from the Dashboard (her Requests tab counts it at once), replies by e-mail
from the request's page and closes it, and the Requests list shows it Closed."""

import pytest
from playwright.sync_api import expect

from helpdesk.models import AgentProfile, Request
from tests.e2e.flows import WIDGET_URL

pytestmark = pytest.mark.django_db(transaction=True)


def test_maria_works_an_offline_message_to_closed(demo_team, new_page, login):
    AgentProfile.objects.update(status=AgentProfile.Status.AWAY)
    visitor = new_page()
    visitor.goto(WIDGET_URL)
    visitor.get_by_label("Name", exact=True).fill("Olga")
    visitor.get_by_label("Email", exact=True).fill("olga@example.org")
    visitor.get_by_label("Message", exact=True).fill("Please call me back about invoice 77.")
    visitor.get_by_role("button", name="Leave a message").click()
    expect(visitor.get_by_role("status")).to_contain_text("Thank you!")

    maria = login(new_page(), "maria")
    entry = maria.locator("#offline-requests li", has_text="invoice 77")
    entry.get_by_role("button", name="Assign to me").click()
    expect(entry).to_contain_text("Maria Manager")
    expect(maria.locator("#requests-badge")).to_have_text("1")  # told live, by her own socket

    entry.get_by_role("link", name="Answer").click()
    maria.get_by_label("Reply by e-mail to olga@example.org").fill("We will call you today.")
    maria.get_by_role("button", name="Send reply").click()
    expect(maria.locator("#request-replies")).to_contain_text("We will call you today.")
    maria.get_by_role("button", name="Close request").click()
    expect(maria.get_by_role("button", name="Reopen")).to_be_visible()

    maria.get_by_role("link", name="Requests").click()
    maria.get_by_role("link", name="All in my channels").click()
    expect(maria.locator("tr", has_text="invoice 77")).to_contain_text("Closed")
    worked = Request.objects.get()
    assert (worked.status, worked.assigned_to, worked.replies.get().body) == (
        Request.Status.CLOSED, demo_team.maria, "We will call you today.")
