"""The browser harness itself: Daphne serves the test database, and a logged-in person reaches "/"."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_is_served_by_daphne(new_page):
    page = new_page()
    response = page.goto("/accounts/login/")
    assert response is not None and response.ok
    assert response.headers["server"].lower().startswith("daphne")
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()


def test_daphne_sees_the_test_database(demo_team, new_page, login):
    """What the test commits (the demo team), Daphne's process can read: alice can log in."""
    page = login(new_page(), "alice")
    assert page.url.endswith("/")
