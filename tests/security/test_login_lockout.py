"""Repeated failed logins lock out, per username and per address, on the real login forms of the workspace
and the admin (django-axes); the lock-out page says why, in the visitor's language; it lifts after the
cool-off time, or when a manager deletes the attempt in the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from helpdesk.demo import create_demo_data
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


def log_in(url, username, password, address="203.0.113.7", language="en"):
    """A fresh browser posting the login form from `address`."""
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language).post(
        url, {"username": username, "password": password, "next": "/"}
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and settings.SESSION_COOKIE_NAME in response.cookies


def fail(url, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = log_in(url, username, "wrong", address=address)
        assert not logged_in(response)


def test_the_right_password_logs_in_after_fewer_failures_than_the_limit(alice):
    fail(LOGIN, "alice", LIMIT - 1)

    assert logged_in(log_in(LOGIN, "alice", PASSWORD))


def test_after_the_limit_of_failures_even_the_right_password_is_refused_with_the_reason(alice):
    fail(LOGIN, "alice", LIMIT)

    response = log_in(LOGIN, "alice", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(response)
    html = response.content.decode()
    assert "Login locked" in html
    assert "too many failed attempts" in html
    assert f"for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html


def test_a_username_is_locked_whatever_address_the_attempts_come_from(alice):
    for number in range(LIMIT):
        fail(LOGIN, "alice", 1, address=f"198.51.100.{number + 1}")

    assert log_in(LOGIN, "alice", PASSWORD, address="192.0.2.200").status_code == 429


def test_an_address_is_locked_whatever_usernames_it_tries(alice, bob):
    for number in range(LIMIT):
        fail(LOGIN, f"guess{number}", 1, address="192.0.2.66")

    assert log_in(LOGIN, "bob", PASSWORD, address="192.0.2.66").status_code == 429
    assert logged_in(log_in(LOGIN, "bob", PASSWORD, address="192.0.2.67"))


def test_the_admin_login_locks_out_too():
    UserFactory(username="root", is_staff=True, is_superuser=True)
    fail(ADMIN_LOGIN, "root", LIMIT)

    response = log_in(ADMIN_LOGIN, "root", PASSWORD)

    assert response.status_code == 429
    assert "Login locked" in response.content.decode()


@pytest.mark.parametrize(("language", "title"), [("nl", "Aanmelden geblokkeerd"), ("sv", "Inloggningen är spärrad")])
def test_the_lock_out_page_speaks_the_visitors_language(alice, language, title):
    fail(LOGIN, "alice", LIMIT)

    response = log_in(LOGIN, "alice", PASSWORD, language=language)

    assert response.status_code == 429
    assert title in response.content.decode()


def test_the_lock_out_lifts_after_the_cool_off_time(alice):
    fail(LOGIN, "alice", LIMIT)
    assert log_in(LOGIN, "alice", PASSWORD).status_code == 429

    earlier = AccessAttempt.objects.get(username="alice").attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=earlier)

    assert logged_in(log_in(LOGIN, "alice", PASSWORD))


def test_a_manager_unlocks_a_locked_login_in_the_admin():
    team = create_demo_data()
    fail(LOGIN, "alice", LIMIT)
    assert log_in(LOGIN, "alice", PASSWORD).status_code == 429
    manager = Client(REMOTE_ADDR="192.0.2.10")
    manager.force_login(team.maria)
    attempt = AccessAttempt.objects.get(username="alice")

    listing = manager.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    assert manager.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302

    assert logged_in(log_in(LOGIN, "alice", "demo"))
