"""The request's user: read once with their profile (helpdesk/auth.py); whether they are an agent at all
from their team memberships in one more query, and their full rights in two (helpdesk/roles.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.auth import AgentBackend
from helpdesk.roles import rights_by_channel
from tests.factories import ChannelFactory, active_chat, logged_in, make_agent

pytestmark = pytest.mark.django_db


def test_an_agents_post_reads_them_with_their_profile_in_one_query_and_their_membership_in_one(support, alice):
    chat = active_chat(support, alice)
    client = logged_in(alice)
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"/chats/{chat.pk}/messages/", {"body": "Hello"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 204
    sql = [query["sql"] for query in queries.captured_queries]
    users = [statement for statement in sql if 'FROM "auth_user"' in statement]
    assert len(users) == 1 and "helpdesk_agentprofile" in users[0], users
    assert not [statement for statement in sql if 'FROM "helpdesk_agentprofile"' in statement]
    assert not [statement for statement in sql if 'FROM "auth_permission"' in statement], "a member needs no more"
    assert len([statement for statement in sql if 'FROM "chat_channelmember"' in statement]) == 1


def _permission(codename):
    return Permission.objects.get(content_type__app_label="helpdesk", codename=codename)


@pytest.mark.parametrize("grant", [
    "nothing", "listen_in", "listen_in by group", "manage_chats", "manage_chats by group", "superuser",
])
def test_the_channel_wide_rights_are_those_django_grants(grant):
    support, sales = ChannelFactory(slug="support"), ChannelFactory(slug="sales")
    user = make_agent("dora", channel=support)
    codename, _, by_group = grant.partition(" by ")
    if grant == "superuser":
        get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)
    elif by_group:
        group = Group.objects.create(name="Supervisors")
        group.permissions.add(_permission(codename))
        user.groups.add(group)
    elif codename != "nothing":
        user.user_permissions.add(_permission(codename))

    signed_in = AgentBackend().get_user(user.pk)
    rights = rights_by_channel(signed_in)

    listens, manages = signed_in.has_perm("helpdesk.listen_in"), signed_in.has_perm("helpdesk.manage_chats")
    assert (listens or manages) is (grant != "nothing")
    for channel in (support, sales):
        if channel == sales and grant == "nothing":
            assert sales.pk not in rights
            continue
        assert rights[channel.pk].can_listen_in is (listens or manages)
        assert rights[channel.pk].is_manager is manages


@pytest.mark.parametrize("grant, opens", [
    ("a member who can respond", True),
    ("a member who only gets notifications", False),
    ("no member, Can listen in", True),
    ("no member, nothing", False),
])
def test_the_workspace_opens_to_whoever_has_a_right_on_some_channel(support, grant, opens):
    user = make_agent("dora", channel=support, can_respond=grant == "a member who can respond")
    if grant.startswith("no member"):
        user.channel_memberships.all().delete()
    if grant.endswith("Can listen in"):
        user.user_permissions.add(_permission("listen_in"))

    page = logged_in(user).get("/")

    assert page.status_code == (200 if opens else 403)
