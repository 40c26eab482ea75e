"""Present / Away, set by the agent at the top right of the workspace."""

import re

import pytest
from django.test import Client

from helpdesk.models import AgentProfile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(alice):
    client = Client()
    client.force_login(alice)
    return client


def pressed_button(html):
    """The name of the presence button shown as pressed; exactly one must be."""
    toggle = html[html.index('id="presence-toggle"'):]
    toggle = toggle[: toggle.index("</div>")]
    pressed = re.findall(r'<button[^>]*aria-pressed="true"[^>]*>([^<]+)</button>', toggle)
    assert len(pressed) == 1, toggle
    return pressed[0]


def status_of(user):
    return AgentProfile.objects.get(user=user).status


def test_the_workspace_shows_present_pressed_for_a_present_agent(client_of):
    assert pressed_button(client_of.get("/").text) == "Present"


def test_choosing_away_is_kept_and_shown_pressed_after_a_reload(alice, client_of):
    response = client_of.post("/presence/", {"status": "away"})

    assert response.status_code == 200
    assert pressed_button(response.text) == "Away"
    assert status_of(alice) == AgentProfile.Status.AWAY
    assert pressed_button(client_of.get("/").text) == "Away"


def test_choosing_present_again_is_kept_and_shown_pressed_after_a_reload(alice, client_of):
    client_of.post("/presence/", {"status": "away"})

    response = client_of.post("/presence/", {"status": "present"})

    assert pressed_button(response.text) == "Present"
    assert status_of(alice) == AgentProfile.Status.PRESENT
    assert pressed_button(client_of.get("/").text) == "Present"


def test_going_away_switches_the_widget_to_the_offline_form(client_of):
    assert 'id="prechat-form"' in Client().get("/widget/support/").text

    client_of.post("/presence/", {"status": "away"})

    assert 'id="offline-form"' in Client().get("/widget/support/").text


@pytest.mark.parametrize("status", ["busy", "", "PRESENT"])
def test_an_unknown_status_is_refused_and_changes_nothing(alice, client_of, status):
    response = client_of.post("/presence/", {"status": status})

    assert response.status_code == 400
    assert response.text == "Choose Present or Away."
    assert status_of(alice) == AgentProfile.Status.PRESENT


def test_presence_cannot_be_set_with_get(alice, client_of):
    assert client_of.get("/presence/", {"status": "away"}).status_code == 405
    assert status_of(alice) == AgentProfile.Status.PRESENT


def test_presence_needs_a_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post("/presence/", {"status": "away"}).status_code == 403
    assert status_of(alice) == AgentProfile.Status.PRESENT


def test_someone_not_logged_in_cannot_set_presence():
    response = Client().post("/presence/", {"status": "away"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_on_no_channel_team_cannot_set_presence():
    outsider = UserFactory(username="outsider")
    client = Client()
    client.force_login(outsider)

    assert client.post("/presence/", {"status": "present"}).status_code == 403
    assert not AgentProfile.objects.filter(user=outsider).exists()


def test_logging_out_sets_the_agent_away(alice, client_of):
    response = client_of.post("/accounts/logout/")

    assert response.status_code == 302
    assert status_of(alice) == AgentProfile.Status.AWAY
    assert 'id="offline-form"' in Client().get("/widget/support/").text


def test_logging_back_in_keeps_the_agent_away_until_they_choose_present(alice, client_of):
    client_of.post("/accounts/logout/")

    again = Client()
    assert again.post("/accounts/login/", {"username": "alice", "password": "demo"}).status_code == 302

    assert pressed_button(again.get("/").text) == "Away"
