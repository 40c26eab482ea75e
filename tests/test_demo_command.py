from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from chat.models import Channel, ChannelMember
from helpdesk import roles
from helpdesk.models import AgentProfile

pytestmark = pytest.mark.django_db

User = get_user_model()


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        "users": User.objects.count(),
        "profiles": AgentProfile.objects.count(),
        "channels": Channel.objects.count(),
        "members": ChannelMember.objects.count(),
        "groups": Group.objects.count(),
        "group_permissions": Group.permissions.through.objects.count(),
        "user_permissions": User.user_permissions.through.objects.count(),
        "user_groups": User.groups.through.objects.count(),
    }


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        run_demo()
    assert not User.objects.exists()
    assert not Channel.objects.exists()


def test_creates_the_team_and_its_rights(settings):
    settings.DEBUG = True
    output = run_demo()
    for username in ("alice", "bob", "carol", "maria"):
        assert username in output

    support = Channel.objects.get(slug="support")
    assert support.name == "Support"
    people = {u.username: u for u in User.objects.all()}
    assert set(people) == {"alice", "bob", "carol", "maria"}
    assert people["bob"].get_full_name() == "Bob de Boer"
    for user in people.values():
        assert user.check_password("demo")
        assert user.agent_profile.status == AgentProfile.Status.PRESENT
        assert ChannelMember.objects.get(channel=support, user=user).can_respond

    alice, carol, maria = people["alice"], people["carol"], people["maria"]
    assert not alice.has_perm("helpdesk.listen_in")
    assert not alice.is_staff
    assert not roles.rights_on(alice, support.id).is_manager

    assert carol.has_perm("helpdesk.listen_in")
    assert not carol.has_perm("helpdesk.manage_chats")
    assert carol.user_permissions.filter(codename="listen_in").exists()  # granted directly, not via a group
    assert roles.rights_on(carol, support.id).can_listen_in

    assert maria.is_staff
    assert maria.groups.filter(name="Managers").exists()
    assert ChannelMember.objects.get(channel=support, user=maria).is_manager
    for perm in (
        "helpdesk.manage_chats", "helpdesk.listen_in",
        "chat.view_chatsession", "chat.change_chatsession", "transfers.view_transfer",
        "transfers.change_transfer", "chat.change_channel", "chat.change_channelmember",
        "helpdesk.change_agentprofile", "helpdesk.view_request", "helpdesk.change_request",
    ):
        assert maria.has_perm(perm), perm
    assert not maria.has_perm("auth.change_user")
    assert roles.rights_on(maria, support.id).is_manager


def test_is_idempotent(settings):
    settings.DEBUG = True
    run_demo()
    first = counts()
    password = User.objects.get(username="alice").password
    run_demo()
    assert counts() == first
    assert first["users"] == 4 and first["members"] == 4 and first["groups"] == 1
    # A second run keeps the password hash, so it does not log anyone out.
    assert User.objects.get(username="alice").password == password
    # With chat.view_message (transcripts in the admin) and the meetings: working hours, lengths, meetings.
    assert Permission.objects.filter(group__name="Managers").count() == 38


def test_nobody_of_the_demo_team_counts_as_present_before_opening_the_workspace(settings):
    """The demo agents chose Present, but none has a workspace open: visitors get the offline form and
    "Present agents" is empty until someone logs in."""
    from chat import selectors
    from chat.services.sessions import channel_is_online

    settings.DEBUG = True
    run_demo()

    support = Channel.objects.get(slug="support")
    assert not channel_is_online(support)
    assert list(selectors.present_agents([support.pk])) == []
