"""The request's user: read once, with their profile and their channel-wide rights (helpdesk/auth.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.auth import AgentBackend
from helpdesk.roles import rights_by_channel
from tests.factories import ChannelFactory, active_chat, logged_in, make_agent

pytestmark = pytest.mark.django_db


def test_an_agents_post_reads_them_their_profile_and_their_channel_wide_rights_in_one_query(support, alice):
    chat = active_chat(support, alice)
    client = logged_in(alice)
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"/chats/{chat.pk}/messages/", {"body": "Hello"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 204
    sql = [query["sql"] for query in queries.captured_queries]
    users = [statement for statement in sql if 'FROM "auth_user"' in statement]
    assert len(users) == 1, users
    assert "helpdesk_agentprofile" in users[0] and "auth_permission" in users[0]
    others = [statement for statement in sql if statement is not users[0]]
    assert not [s for s in others if "auth_permission" in s or 'FROM "helpdesk_agentprofile"' in s], others


def _permission(codename):
    return Permission.objects.get(content_type__app_label="helpdesk", codename=codename)


@pytest.mark.parametrize("grant", [
    "nothing", "listen_in", "listen_in by group", "manage_chats", "manage_chats by group", "superuser",
])
def test_the_rights_read_with_the_user_are_those_django_grants(grant):
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

    from_backend = rights_by_channel(AgentBackend().get_user(user.pk))
    from_django = rights_by_channel(get_user_model().objects.get(pk=user.pk))

    assert from_backend == from_django
    assert set(from_backend) == ({support.pk} if grant == "nothing" else {support.pk, sales.pk})
