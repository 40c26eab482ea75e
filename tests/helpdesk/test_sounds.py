"""The agent's "Sounds" setting: on by default, switched in the workspace (every open workspace of the
agent follows) and in the admin."""

import pytest

from helpdesk.models import AgentProfile
from helpdesk.services.profiles import profile_set_sounds
from helpdesk.errors import Invalid
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


def test_sounds_are_on_for_a_new_agent(alice):
    assert AgentProfile.objects.get(user=alice).sounds is True


def test_the_workspace_shows_the_switches(alice):
    html = logged_in(alice).get("/").text

    assert 'id="sounds-toggle"' in html and 'aria-pressed="true"' in html and ">Sounds</button>" in html
    assert 'id="notifications-toggle"' in html and ">Desktop notifications</button>" in html
    assert "/static/helpdesk/sounds/incoming.wav" in html
    assert "/static/helpdesk/attention.js" in html


def test_the_agent_turns_sounds_off_and_on(alice):
    client = logged_in(alice)

    off = client.post("/sounds/", {"sounds": "off"})
    assert off.status_code == 200
    assert 'data-sounds="off"' in off.text and 'aria-pressed="false"' in off.text
    assert AgentProfile.objects.get(user=alice).sounds is False

    on = client.post("/sounds/", {"sounds": "on"})
    assert 'data-sounds="on"' in on.text
    assert AgentProfile.objects.get(user=alice).sounds is True


def test_a_bad_value_is_refused_and_changes_nothing(alice):
    response = logged_in(alice).post("/sounds/", {"sounds": "loud"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert AgentProfile.objects.get(user=alice).sounds is True
    with pytest.raises(Invalid):
        profile_set_sounds(user=alice, sounds="")


def test_a_get_is_not_a_switch(alice):
    assert logged_in(alice).get("/sounds/").status_code == 405


def test_the_admin_edits_an_agents_sounds(alice, admin_client):
    profile = AgentProfile.objects.get(user=alice)
    page = admin_client.get(f"/admin/helpdesk/agentprofile/{profile.pk}/change/")

    assert page.status_code == 200
    assert 'name="sounds"' in page.text
