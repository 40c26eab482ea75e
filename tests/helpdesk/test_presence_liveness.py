"""Present means chosen AND there: a workspace beating within PRESENCE_GRACE_SECONDS. A browser closed
without a goodbye, or a server that died, lets go of its agent once the grace period has passed, and
offers waiting for an agent who left are withdrawn with the reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat import selectors
from chat.services.sessions import Offline, channel_is_online, session_start
from helpdesk.errors import Conflict
from helpdesk.models import AgentProfile
from helpdesk.services.presence import presence_expire_lapsed, presence_heartbeat, presence_set
from live import events
from tests.factories import make_agent
from tests.transfers import active_chat, offer
from transfers import selectors as transfer_selectors
from transfers.models import Transfer
from transfers.services import transfer_accept

pytestmark = pytest.mark.django_db


def last_seen(user, seconds_ago):
    AgentProfile.objects.filter(user=user).update(workspace_seen_at=timezone.now() - timedelta(seconds=seconds_ago))


def test_an_agent_present_without_a_live_workspace_counts_as_not_there(support, alice, settings):
    settings.PRESENCE_GRACE_SECONDS = 60
    last_seen(alice, 61)

    assert not channel_is_online(support)
    with pytest.raises(Offline):
        session_start(channel=support, visitor_name="Vera")
    assert list(selectors.present_agents([support.pk])) == []


def test_a_reload_inside_the_grace_period_changes_nothing(support, alice, settings, sent,
                                                          django_capture_on_commit_callbacks):
    settings.PRESENCE_GRACE_SECONDS = 60
    last_seen(alice, 50)

    with django_capture_on_commit_callbacks(execute=True):
        assert presence_expire_lapsed() == 0
        presence_heartbeat(user=alice)

    assert channel_is_online(support)
    assert sent == [], "nobody is told of a reload"


def test_an_agent_whose_last_workspace_closed_is_announced_gone_once(support, alice, bob, settings, sent,
                                                                      django_capture_on_commit_callbacks):
    settings.PRESENCE_GRACE_SECONDS = 60
    last_seen(alice, 61)

    with django_capture_on_commit_callbacks(execute=True):
        assert presence_expire_lapsed() == 1
        assert presence_expire_lapsed() == 0, "another process sweeping finds nothing left to tell"

    [batch] = sent
    assert (events.TEAM_GROUP, events.TEAM_CHANGED) in batch
    assert (events.colleagues_group(support.pk), events.COLLEAGUES_CHANGED) in batch
    assert bob in selectors.present_agents([support.pk]) and alice not in selectors.present_agents([support.pk])


def test_a_workspace_that_opens_again_brings_the_agent_back_and_says_so(support, alice, settings, sent,
                                                                        django_capture_on_commit_callbacks):
    settings.PRESENCE_GRACE_SECONDS = 60
    last_seen(alice, 61)
    presence_expire_lapsed()

    with django_capture_on_commit_callbacks(execute=True):
        presence_heartbeat(user=alice)
        presence_heartbeat(user=alice)

    assert channel_is_online(support)
    assert len(sent) == 1, "only the beat that brings her back is announced"


def test_an_offer_to_an_agent_whose_workspace_closed_is_withdrawn_and_the_sender_told_why(support, alice, bob,
                                                                                          settings):
    settings.PRESENCE_GRACE_SECONDS = 60
    transfer = offer(active_chat(alice, support), alice, bob)
    last_seen(bob, 61)

    presence_expire_lapsed()

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED
    assert transfer.cancel_reason == Transfer.CancelReason.RECEIVER_OFFLINE


def test_an_offer_to_an_agent_who_chooses_away_is_withdrawn(support, alice, bob):
    transfer = offer(active_chat(alice, support), alice, bob)

    presence_set(user=bob, status=AgentProfile.Status.AWAY)

    transfer.refresh_from_db()
    assert (transfer.status, transfer.cancel_reason) == (Transfer.Status.CANCELLED, Transfer.CancelReason.RECEIVER_AWAY)
    with pytest.raises(Conflict, match="went Away, so the transfer was withdrawn"):
        transfer_accept(transfer=transfer, by=bob)


def test_an_agent_who_is_away_cannot_accept_an_offer(support, alice, bob):
    transfer = offer(active_chat(alice, support), alice, bob)
    AgentProfile.objects.filter(user=bob).update(status=AgentProfile.Status.AWAY)  # as if the withdrawal raced

    with pytest.raises(Conflict, match="You are Away"):
        transfer_accept(transfer=transfer, by=bob)
    transfer.refresh_from_db()
    assert transfer.is_pending


def test_an_offer_to_an_agent_who_is_offline_is_refused(support, alice, bob, settings):
    from helpdesk.errors import Invalid
    from transfers.services import transfer_start

    settings.PRESENCE_GRACE_SECONDS = 60
    chat = active_chat(alice, support)
    last_seen(bob, 61)

    with pytest.raises(Invalid, match="is offline"):
        transfer_start(session=chat, by=alice, to_agent_id=bob.pk)
    assert make_agent("dora", channel=support) in transfer_selectors.transfer_targets(chat, alice.pk)


def test_one_beat_for_many_workspaces_renews_them_all_and_announces_only_the_agent_who_had_been_let_go(
        support, alice, bob, settings, sent, django_capture_on_commit_callbacks):
    from helpdesk.services.presence import presence_heartbeats

    settings.PRESENCE_GRACE_SECONDS = 60
    last_seen(alice, 50)
    last_seen(bob, 61)
    with django_capture_on_commit_callbacks(execute=True):
        presence_expire_lapsed()  # bob's process was too slow: he is let go
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        presence_heartbeats(user_ids=[alice.pk, bob.pk])
        assert presence_expire_lapsed() == 0

    assert {agent.pk for agent in selectors.present_agents([support.pk])} == {alice.pk, bob.pk}
    assert len(sent) == 1, "only bob's return is told"
