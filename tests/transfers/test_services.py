"""Transfers, listening mode, take-over and "Can listen in", at the service layer: every transition and
every refusal, the hand-over history, and the database constraints behind them."""

import importlib
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from chat import selectors
from chat.models import ChatSession, Listener, Message
from chat.services import listeners, messages, sessions
from helpdesk.errors import Conflict, Invalid, NotAllowed
from helpdesk.templatetags.people import person
from live import workspace_lists
from live.access import access_for
from live.watchers import watchers_of
from tests.factories import ChannelFactory, ChatSessionFactory, make_agent
from tests.transfers import (
    active_chat,
    fresh,
    make_listen_in_agent,
    make_manager,
    offer,
    support_channel,
)
from transfers import selectors as transfer_selectors
from transfers import services
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    return support_channel()


@pytest.fixture
def alice(channel):
    return make_agent("alice", channel=channel)


@pytest.fixture
def bob(channel):
    return make_agent("bob", channel=channel)


@pytest.fixture
def dave(channel):
    return make_agent("dave", channel=channel)


@pytest.fixture
def maria(channel):
    return make_manager(channel=channel)


@pytest.fixture
def chat(alice, channel):
    return active_chat(alice, channel)


def joined_events(chat, agent):
    return Message.objects.filter(session=chat, event=Message.Event.AGENT_JOINED, author=agent).count()


def open_handed_over(chat, agent):
    return Listener.objects.filter(
        session=chat, agent=agent, reason=Listener.Reason.HANDED_OVER, closed_at__isnull=True
    )


def is_sentence(text):
    return text[:1].isupper() and text.rstrip().endswith((".", "!", "?"))


# transfer_start ---------------------------------------------------------------------------------------


def test_offered_transfer_waits_for_the_colleague_and_keeps_the_note(chat, alice, bob):
    transfer = offer(chat, alice, bob, note="  Asks about invoice 42  ")

    transfer.refresh_from_db()
    chat.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING
    assert transfer.kind == Transfer.Kind.TRANSFER
    assert (transfer.from_agent, transfer.to_agent, transfer.requested_by) == (alice, bob, alice)
    assert transfer.note == "Asks about invoice 42"
    assert transfer.expires_at is None and transfer.decided_at is None
    assert chat.owner == alice, "the owner keeps the chat until the colleague accepts"


def test_offered_chat_shows_in_the_colleagues_sessions_list(chat, alice, bob):
    offer(chat, alice, bob)

    offered = {c.pk: c for c in workspace_lists.sessions_list(fresh(bob))}
    assert chat.pk in offered and offered[chat.pk].offered_to_me
    waiting = {c.pk: c for c in workspace_lists.sessions_list(fresh(alice))}
    assert waiting[chat.pk].pending_to_username == "bob"


def test_manager_can_transfer_someone_elses_chat(chat, alice, bob, maria):
    transfer = offer(chat, maria, bob)

    assert (transfer.from_agent, transfer.to_agent, transfer.requested_by) == (alice, bob, maria)
    assert transfer.status == Transfer.Status.PENDING


@pytest.mark.parametrize(
    "who", ["colleague", "listen_in_agent", "manager_of_another_channel"],
)
def test_only_the_owner_or_a_manager_can_transfer_a_chat(chat, channel, bob, who):
    if who == "colleague":
        actor = make_agent("dave", channel=channel)
    elif who == "listen_in_agent":
        actor = make_listen_in_agent(channel=channel)
    else:
        actor = make_agent("mike", channel=ChannelFactory(slug="sales"), is_manager=True)

    with pytest.raises(NotAllowed, match="Only the agent who owns this chat, or a manager"):
        offer(chat, actor, bob)
    assert not Transfer.objects.exists()


def test_cannot_transfer_to_an_away_colleague(chat, alice, channel):
    away = make_agent("adam", present=False, channel=channel)

    with pytest.raises(Invalid) as refused:
        offer(chat, alice, away)
    assert f"{person(away)} is Away" in refused.value.message and "Present" in refused.value.message
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("by", ["owner", "manager"])
def test_cannot_transfer_a_chat_to_its_own_owner(chat, alice, maria, by):
    with pytest.raises(Invalid) as refused:
        offer(chat, alice if by == "owner" else maria, alice)
    assert refused.value.message == f"{person(alice)} already owns this chat."
    assert not Transfer.objects.exists()


def test_a_manager_cannot_transfer_a_chat_to_herself_and_is_pointed_to_take_over(chat, alice, maria):
    with pytest.raises(Invalid, match="You cannot transfer a chat to yourself. Use Take over."):
        offer(chat, maria, maria)

    chat.refresh_from_db()
    assert chat.owner == alice and not Transfer.objects.exists()


def test_transfer_to_lists_neither_the_owner_nor_the_person_handing_over(chat, alice, bob, maria):
    targets = set(transfer_selectors.transfer_targets(chat, maria.pk))

    assert bob in targets
    assert alice not in targets and maria not in targets


def test_cannot_transfer_to_someone_who_does_not_answer_on_the_channel(chat, alice, channel):
    elsewhere = make_agent("sam", channel=ChannelFactory(slug="sales"))
    watcher = make_agent("walt", channel=channel, can_respond=False, can_listen_in=True)

    for target in (elsewhere, watcher):
        with pytest.raises(Invalid) as refused:
            offer(chat, alice, target)
        assert refused.value.message == f"{person(target)} does not answer chats on this channel."
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("target", [None, "", "not-a-number", 999_999])
def test_transfer_without_a_real_colleague_asks_to_choose_one(chat, alice, target):
    with pytest.raises(Invalid, match="Choose an agent in the Transfer to list"):
        services.transfer_start(session=chat, by=fresh(alice), to_agent_id=target)


def test_cannot_transfer_to_a_deactivated_colleague(chat, alice, bob):
    bob.is_active = False
    bob.save()

    with pytest.raises(Invalid, match="Choose an agent"):
        offer(chat, alice, bob)


def test_ended_chat_cannot_be_transferred(chat, alice, bob):
    sessions.session_end(session=chat, agent=fresh(alice))

    with pytest.raises(Conflict, match="This chat has ended"):
        offer(chat, alice, bob)
    assert not Transfer.objects.exists()


def test_chat_still_in_the_queue_cannot_be_transferred(channel, alice, bob, maria):
    queued = ChatSessionFactory(channel=channel)

    with pytest.raises(Invalid, match="Nobody has answered this chat yet"):
        offer(queued, maria, bob)
    assert not Transfer.objects.exists()


def test_second_transfer_while_one_waits_is_refused(chat, alice, bob, dave):
    offer(chat, alice, bob)

    with pytest.raises(Conflict) as refused:
        offer(chat, alice, dave)
    assert refused.value.message == f"A transfer to {person(bob)} is already waiting for an answer."
    assert list(Transfer.objects.values_list("to_agent__username", "status")) == [("bob", "pending")]


def test_note_longer_than_1000_characters_is_refused(chat, alice, bob):
    with pytest.raises(Invalid, match="at most 1000 characters"):
        offer(chat, alice, bob, note="x" * 1001)
    assert not Transfer.objects.exists()

    assert offer(chat, alice, bob, note="x" * 1000).note == "x" * 1000


def test_offer_gets_the_channels_time_out(channel, alice, bob):
    channel.transfer_timeout_seconds = 45
    channel.save()
    chat = active_chat(alice, channel)

    before = timezone.now()
    transfer = offer(chat, alice, bob)
    after = timezone.now()

    assert before + timedelta(seconds=45) <= transfer.expires_at <= after + timedelta(seconds=45)


# transfer_accept -----------------------------------------------------------------------------------------


def test_accepting_makes_the_colleague_the_owner_and_the_old_owner_listens(chat, alice, bob):
    transfer = offer(chat, alice, bob)

    services.transfer_accept(transfer=transfer, by=fresh(bob))

    chat.refresh_from_db()
    transfer.refresh_from_db()
    assert chat.owner == bob and chat.is_active
    assert transfer.status == Transfer.Status.ACCEPTED
    assert transfer.decided_by == bob and transfer.decided_at is not None
    assert open_handed_over(chat, alice).count() == 1
    assert not open_handed_over(chat, bob).exists()
    assert joined_events(chat, bob) == 1
    listening = {c.pk: c for c in workspace_lists.sessions_list(fresh(alice))}
    assert listening[chat.pk].listening, "the chat stays in the old owner's sessions list, in listening mode"
    access = access_for(fresh(alice), chat)
    assert access.role == "listening" and not access.can_send and access.can_close_window


def test_visitor_sees_who_they_are_now_chatting_with(chat, alice, bob):
    bob.first_name = "Bob"
    bob.save()
    services.transfer_accept(transfer=offer(chat, alice, bob), by=fresh(bob))

    page = Client().get(f"/widget/{chat.channel.slug}/chat/{chat.token}/")

    assert page.status_code == 200
    assert "You are now chatting with Bob." in page.content.decode()


def test_old_owner_cannot_reply_after_handing_over(chat, alice, bob):
    services.transfer_accept(transfer=offer(chat, alice, bob), by=fresh(bob))

    with pytest.raises(NotAllowed, match="Only the agent who owns this chat can reply"):
        messages.message_post_by_agent(session_id=chat.pk, agent=fresh(alice), body="Still here?")
    messages.message_post_by_agent(session_id=chat.pk, agent=fresh(bob), body="Hi, Bob here.")
    assert list(Message.objects.filter(session=chat, kind=Message.Kind.AGENT).values_list("author__username", flat=True)) == ["bob"]


@pytest.mark.parametrize("who", ["owner", "manager", "colleague"])
def test_only_the_colleague_it_was_offered_to_can_accept(chat, alice, bob, dave, maria, who):
    transfer = offer(chat, alice, bob)
    actor = {"owner": alice, "manager": maria, "colleague": dave}[who]

    with pytest.raises(NotAllowed, match="Only the colleague this chat was offered to can accept it"):
        services.transfer_accept(transfer=transfer, by=fresh(actor))
    transfer.refresh_from_db()
    chat.refresh_from_db()
    assert transfer.is_pending and chat.owner == alice


def test_accepting_twice_hands_over_once(chat, alice, bob):
    transfer = offer(chat, alice, bob)
    services.transfer_accept(transfer=transfer, by=fresh(bob))

    with pytest.raises(Conflict) as refused:
        services.transfer_accept(transfer=Transfer.objects.get(pk=transfer.pk), by=fresh(bob))
    assert refused.value.message == f"{person(bob)} already accepted this transfer."
    # The same, with the stale object the first click left behind.
    with pytest.raises(Conflict, match="already accepted"):
        services.transfer_accept(transfer=transfer, by=fresh(bob))
    assert joined_events(chat, bob) == 1
    assert Listener.objects.filter(session=chat).count() == 1


@pytest.mark.parametrize(
    ("close", "outcome"),
    [
        ("cancel", "This transfer was cancelled."),
        ("reject", "{bob} already rejected this transfer."),
        ("expire", "This transfer timed out."),
    ],
)
def test_accepting_a_closed_offer_says_what_happened_to_it(channel, alice, bob, close, outcome):
    channel.transfer_timeout_seconds = 30
    channel.save()
    chat = active_chat(alice, channel)
    transfer = offer(chat, alice, bob)
    if close == "cancel":
        services.transfer_cancel(transfer=transfer, by=fresh(alice))
    elif close == "reject":
        services.transfer_reject(transfer=transfer, by=fresh(bob))
    else:
        Transfer.objects.filter(pk=transfer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert services.transfers_expire_due() == 1

    with pytest.raises(Conflict) as refused:
        services.transfer_accept(transfer=Transfer.objects.get(pk=transfer.pk), by=fresh(bob))
    assert refused.value.message == outcome.format(bob=person(bob))
    chat.refresh_from_db()
    assert chat.owner == alice and joined_events(chat, bob) == 0


def test_accepting_after_the_time_out_is_refused_and_the_offer_is_closed(channel, alice, bob):
    channel.transfer_timeout_seconds = 30
    channel.save()
    chat = active_chat(alice, channel)
    transfer = offer(chat, alice, bob)
    # Nobody ran the expiry yet: the clock has simply passed the deadline.
    Transfer.objects.filter(pk=transfer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(Conflict, match="This transfer timed out"):
        services.transfer_accept(transfer=Transfer.objects.get(pk=transfer.pk), by=fresh(bob))

    transfer.refresh_from_db()
    chat.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED, "the refused click also records the time-out"
    assert chat.owner == alice
    # With the offer closed, alice can offer the chat again at once.
    assert offer(chat, alice, bob).is_pending


def test_accepting_an_offer_of_a_chat_the_visitor_ended_is_refused(chat, alice, bob):
    transfer = offer(chat, alice, bob)
    sessions.session_end(session=chat, by_visitor=True)

    with pytest.raises(Conflict) as refused:
        services.transfer_accept(transfer=transfer, by=fresh(bob))
    assert refused.value.message == "The visitor ended the chat."
    chat.refresh_from_db()
    assert chat.owner == alice and chat.is_ended


def test_an_end_chat_closes_the_waiting_offer_and_says_so_to_the_receiver(chat, alice, bob):
    transfer = offer(chat, alice, bob)
    sessions.session_end(session=chat, agent=fresh(alice))

    transfer.refresh_from_db()
    assert (transfer.status, transfer.cancel_reason, transfer.decided_by) == (
        Transfer.Status.CANCELLED, Transfer.CancelReason.CHAT_ENDED, alice
    )
    with pytest.raises(Conflict) as refused:
        services.transfer_accept(transfer=transfer, by=fresh(bob))
    assert refused.value.message == f"{person(alice)} ended the chat."


# transfer_reject -----------------------------------------------------------------------------------------


def test_rejecting_leaves_the_chat_with_its_owner(chat, alice, bob):
    transfer = offer(chat, alice, bob)

    services.transfer_reject(transfer=transfer, by=fresh(bob))

    transfer.refresh_from_db()
    chat.refresh_from_db()
    assert transfer.status == Transfer.Status.REJECTED and transfer.decided_by == bob
    assert chat.owner == alice
    assert not Listener.objects.exists() and joined_events(chat, bob) == 0
    assert chat.pk not in {c.pk for c in workspace_lists.sessions_list(fresh(bob))}
    assert access_for(fresh(alice), chat).can_transfer, "the owner can transfer again"


@pytest.mark.parametrize("who", ["owner", "manager", "colleague"])
def test_only_the_colleague_it_was_offered_to_can_reject(chat, alice, bob, dave, maria, who):
    transfer = offer(chat, alice, bob)
    actor = {"owner": alice, "manager": maria, "colleague": dave}[who]

    with pytest.raises(NotAllowed, match="Only the colleague this chat was offered to can reject it"):
        services.transfer_reject(transfer=transfer, by=fresh(actor))
    transfer.refresh_from_db()
    assert transfer.is_pending


def test_rejecting_a_cancelled_offer_is_refused(chat, alice, bob):
    transfer = offer(chat, alice, bob)
    services.transfer_cancel(transfer=transfer, by=fresh(alice))

    with pytest.raises(Conflict, match="This transfer was cancelled"):
        services.transfer_reject(transfer=transfer, by=fresh(bob))


# transfer_cancel -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starter", "canceller"),
    [("owner", "owner"), ("owner", "manager"), ("manager", "manager"), ("manager", "owner")],
)
def test_starter_owner_or_manager_can_cancel_a_waiting_transfer(chat, alice, bob, maria, starter, canceller):
    people = {"owner": alice, "manager": maria}
    transfer = offer(chat, people[starter], bob)

    services.transfer_cancel(transfer=transfer, by=fresh(people[canceller]))

    transfer.refresh_from_db()
    chat.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED and transfer.decided_by == people[canceller]
    assert chat.owner == alice
    assert chat.pk not in {c.pk for c in workspace_lists.sessions_list(fresh(bob))}


@pytest.mark.parametrize("who", ["target", "colleague", "listening_old_owner"])
def test_target_or_another_agent_cannot_cancel_a_transfer(channel, alice, bob, dave, who):
    chat = active_chat(dave, channel)
    services.transfer_accept(transfer=offer(chat, dave, alice), by=fresh(alice))  # dave now listens
    transfer = offer(chat, alice, bob)
    actor = {"target": bob, "colleague": make_agent("erin", channel=channel), "listening_old_owner": dave}[who]

    with pytest.raises(NotAllowed, match="Only the agent who started this transfer, or a manager, can cancel it"):
        services.transfer_cancel(transfer=transfer, by=fresh(actor))
    transfer.refresh_from_db()
    assert transfer.is_pending


def test_cancelling_an_accepted_transfer_is_refused(chat, alice, bob):
    transfer = offer(chat, alice, bob)
    services.transfer_accept(transfer=transfer, by=fresh(bob))

    with pytest.raises(Conflict) as refused:
        services.transfer_cancel(transfer=transfer, by=fresh(alice))
    assert refused.value.message == f"{person(bob)} already accepted this transfer."
    chat.refresh_from_db()
    assert chat.owner == bob


# transfer_expire / transfers_expire_due -------------------------------------------------------------------


@pytest.fixture
def timed_channel(channel):
    channel.transfer_timeout_seconds = 30
    channel.save()
    return channel


def overdue(transfer):
    Transfer.objects.filter(pk=transfer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return Transfer.objects.get(pk=transfer.pk)


def test_transfer_does_not_time_out_before_its_deadline(timed_channel, alice, bob):
    transfer = offer(active_chat(alice, timed_channel), alice, bob)

    assert services.transfer_expire(transfer=transfer) is False
    assert services.transfers_expire_due() == 0
    transfer.refresh_from_db()
    assert transfer.is_pending


def test_unanswered_transfer_times_out_after_its_deadline(timed_channel, alice, bob):
    chat = active_chat(alice, timed_channel)
    transfer = overdue(offer(chat, alice, bob))

    assert services.transfer_expire(transfer=transfer) is True

    transfer.refresh_from_db()
    chat.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED
    assert transfer.decided_at is not None and transfer.decided_by is None
    assert chat.owner == alice
    assert services.transfer_expire(transfer=transfer) is False, "a closed offer cannot time out again"


def test_transfer_on_a_channel_without_time_out_never_expires(chat, alice, bob):
    transfer = offer(chat, alice, bob)

    assert services.transfer_expire(transfer=transfer) is False
    assert services.transfers_expire_due() == 0
    transfer.refresh_from_db()
    assert transfer.is_pending


def test_expiring_due_transfers_leaves_answered_and_future_ones_alone(timed_channel, alice, bob, dave):
    due = overdue(offer(active_chat(alice, timed_channel), alice, bob))
    future = offer(active_chat(alice, timed_channel), alice, bob)
    answered = offer(active_chat(alice, timed_channel), alice, dave)
    services.transfer_reject(transfer=answered, by=fresh(dave))
    overdue(answered)

    assert services.transfers_expire_due() == 1

    statuses = dict(Transfer.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "expired", future.pk: "pending", answered.pk: "rejected"}


def test_expire_transfers_command_times_out_overdue_offers(timed_channel, alice, bob):
    transfer = overdue(offer(active_chat(alice, timed_channel), alice, bob))
    out = StringIO()

    call_command("expire_transfers", stdout=out)

    assert "Expired 1 transfer(s)." in out.getvalue()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED


def test_an_overdue_offer_nobody_expired_does_not_block_a_new_transfer(timed_channel, alice, bob, dave):
    """The receiver closed the tab, so no socket timed the offer out: starting a new one expires it."""
    chat = active_chat(alice, timed_channel)
    stale = overdue(offer(chat, alice, bob))

    fresh_offer = offer(chat, alice, dave)

    stale.refresh_from_db()
    assert stale.status == Transfer.Status.EXPIRED and stale.decided_by is None
    assert fresh_offer.is_pending and fresh_offer.to_agent == dave


def test_an_overdue_offer_still_blocks_nothing_when_the_new_transfer_is_refused(timed_channel, alice, bob):
    """The time-out is committed on its own: a refusal of the new transfer does not roll it back."""
    chat = active_chat(alice, timed_channel)
    stale = overdue(offer(chat, alice, bob))
    away = make_agent("adam", present=False, channel=timed_channel)

    with pytest.raises(Invalid, match="Away"):
        offer(chat, alice, away)

    stale.refresh_from_db()
    assert stale.status == Transfer.Status.EXPIRED


def test_rejecting_an_overdue_offer_says_it_timed_out(timed_channel, alice, bob):
    transfer = overdue(offer(active_chat(alice, timed_channel), alice, bob))

    with pytest.raises(Conflict, match="This transfer timed out."):
        services.transfer_reject(transfer=transfer, by=fresh(bob))

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED


@pytest.mark.parametrize("by", ["starter", "manager"])
def test_cancelling_an_overdue_offer_says_it_timed_out(timed_channel, alice, bob, maria, by):
    transfer = overdue(offer(active_chat(alice, timed_channel), alice, bob))

    with pytest.raises(Conflict, match="This transfer timed out."):
        services.transfer_cancel(transfer=transfer, by=fresh(alice if by == "starter" else maria))

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED


# session_take_over ----------------------------------------------------------------------------------------


def test_manager_take_over_makes_them_the_owner_at_once(chat, alice, maria):
    take_over = services.session_take_over(session=chat, by=fresh(maria))

    chat.refresh_from_db()
    assert chat.owner == maria and chat.is_active
    assert take_over.kind == Transfer.Kind.TAKE_OVER and take_over.status == Transfer.Status.ACCEPTED
    assert (take_over.from_agent, take_over.to_agent, take_over.requested_by, take_over.decided_by) == (
        alice, maria, maria, maria,
    )
    assert open_handed_over(chat, alice).count() == 1
    assert joined_events(chat, maria) == 1
    with pytest.raises(NotAllowed):
        messages.message_post_by_agent(session_id=chat.pk, agent=fresh(alice), body="hello?")


def test_take_over_cancels_a_waiting_transfer(chat, alice, bob, maria):
    waiting = offer(chat, alice, bob)

    services.session_take_over(session=chat, by=fresh(maria))

    waiting.refresh_from_db()
    assert waiting.status == Transfer.Status.CANCELLED and waiting.decided_by == maria
    assert waiting.cancel_reason == Transfer.CancelReason.TAKEN_OVER
    assert not Transfer.objects.filter(session=chat, status=Transfer.Status.PENDING).exists()
    assert chat.pk not in {c.pk for c in workspace_lists.sessions_list(fresh(bob))}
    with pytest.raises(Conflict) as refused:
        services.transfer_accept(transfer=waiting, by=fresh(bob))
    assert refused.value.message == f"{person(maria)} took over the chat."


def test_an_accept_that_loses_to_a_take_over_at_the_same_moment_says_who_took_the_chat(
    chat, alice, bob, maria, monkeypatch
):
    """The take-over commits between the accept's first look at the offer and its decision."""
    transfer = offer(chat, alice, bob)
    still_pending = services._refuse_closed_or_overdue

    def manager_takes_over_meanwhile(offer_seen):
        still_pending(offer_seen)
        services.session_take_over(session=ChatSession.objects.get(pk=chat.pk), by=fresh(maria))

    monkeypatch.setattr(services, "_refuse_closed_or_overdue", manager_takes_over_meanwhile)

    with pytest.raises(Conflict) as refused:
        services.transfer_accept(transfer=transfer, by=fresh(bob))
    assert refused.value.message == f"{person(maria)} took over the chat."
    chat.refresh_from_db()
    assert chat.owner == maria


@pytest.mark.parametrize("who", ["owner", "colleague", "listen_in_agent", "manager_of_another_channel"])
def test_only_a_manager_can_take_over_a_chat(chat, channel, alice, who):
    actor = {
        "owner": lambda: alice,
        "colleague": lambda: make_agent("dave", channel=channel),
        "listen_in_agent": lambda: make_listen_in_agent(channel=channel),
        "manager_of_another_channel": lambda: make_agent("mike", channel=ChannelFactory(slug="sales"), is_manager=True),
    }[who]()

    with pytest.raises(NotAllowed, match="Only a manager can take over a chat"):
        services.session_take_over(session=chat, by=fresh(actor))
    chat.refresh_from_db()
    assert chat.owner == alice and not Transfer.objects.exists()


def test_channel_manager_can_take_over_on_their_channel(chat, channel, alice):
    lead = make_agent("lars", channel=channel, is_manager=True)

    services.session_take_over(session=chat, by=fresh(lead))

    chat.refresh_from_db()
    assert chat.owner == lead


def test_manager_cannot_take_over_their_own_chat(channel, maria):
    chat = active_chat(maria, channel)

    with pytest.raises(Invalid, match="You already own this chat"):
        services.session_take_over(session=chat, by=fresh(maria))
    assert not Transfer.objects.exists() and not Listener.objects.exists()


def test_ended_or_queued_chat_cannot_be_taken_over(chat, channel, alice, maria):
    sessions.session_end(session=chat, agent=fresh(alice))
    with pytest.raises(Conflict, match="This chat has ended"):
        services.session_take_over(session=chat, by=fresh(maria))

    with pytest.raises(Invalid, match="Nobody has answered this chat yet"):
        services.session_take_over(session=ChatSessionFactory(channel=channel), by=fresh(maria))


def test_old_owner_taken_back_stops_listening(chat, alice, maria):
    services.session_take_over(session=chat, by=fresh(maria))
    services.transfer_accept(transfer=offer(chat, maria, alice), by=fresh(alice))

    chat.refresh_from_db()
    assert chat.owner == alice
    assert not open_handed_over(chat, alice).exists()
    assert open_handed_over(chat, maria).count() == 1
    assert access_for(fresh(alice), chat).can_send


def test_handing_over_a_chat_whose_owner_still_has_an_open_listening_row_keeps_one_open_row(chat, alice, bob):
    """A reactivated chat claimed by an agent who was still listening to it: their old listening row is
    open while they own it. Handing it on must not trip the one-open-listening-row constraint."""
    Listener.objects.create(session=chat, agent=alice, reason=Listener.Reason.HANDED_OVER)

    services.transfer_accept(transfer=offer(chat, alice, bob), by=fresh(bob))

    chat.refresh_from_db()
    assert chat.owner == bob
    assert open_handed_over(chat, alice).count() == 1
    assert not open_handed_over(chat, bob).exists()


# Qualified mode: no acceptance step ------------------------------------------------------------------------


@pytest.fixture
def instant_channel(channel):
    channel.transfers_need_acceptance = False
    channel.save()
    return channel


def test_channel_without_acceptance_hands_the_chat_over_at_once(instant_channel, alice, bob):
    chat = active_chat(alice, instant_channel)

    reassign = offer(chat, alice, bob, note="He wants a demo")

    chat.refresh_from_db()
    assert chat.owner == bob
    assert reassign.kind == Transfer.Kind.REASSIGN and reassign.status == Transfer.Status.ACCEPTED
    assert reassign.decided_by == alice and reassign.decided_at is not None and reassign.note == "He wants a demo"
    assert not Transfer.objects.filter(status=Transfer.Status.PENDING).exists()
    assert open_handed_over(chat, alice).count() == 1
    assert joined_events(chat, bob) == 1


def test_a_chat_handed_over_without_acceptance_is_highlighted_for_the_new_owner_until_they_write(
    instant_channel, alice, bob, dave
):
    chat = active_chat(alice, instant_channel)
    messages.message_post_by_agent(session_id=chat.pk, agent=fresh(alice), body="Let me find a colleague.")

    def highlighted(agent):
        listed = {c.pk: c.handed_to_me for c in workspace_lists.sessions_list(fresh(agent))}.get(chat.pk)
        chat.refresh_from_db()
        assert (chat.handed_to_id == agent.pk) is bool(listed), "what a new line checks agrees with the list"
        return listed

    offer(chat, alice, bob)
    assert (highlighted(bob), highlighted(alice)) == (True, False)

    messages.message_post_by_agent(session_id=chat.pk, agent=fresh(bob), body="Bob here.")
    assert highlighted(bob) is False

    offer(chat, bob, dave)
    offer(chat, dave, bob)  # back to bob: new to him again, whatever he wrote before
    assert (highlighted(bob), highlighted(dave)) == (True, False)


def test_the_migration_stores_who_a_chat_was_handed_to_from_the_transfers_before_it(instant_channel, maria, bob, dave):
    """Chats handed over before the owner was stored on the chat: highlighted only where the chat's newest
    accepted transfer is a reassign whose new owner has not written since."""
    unanswered, answered, taken_back = (active_chat(dave, instant_channel) for _ in range(3))
    for chat in (unanswered, answered, taken_back):
        offer(chat, dave, bob)
    messages.message_post_by_agent(session_id=answered.pk, agent=fresh(bob), body="Bob here.")
    services.session_take_over(session=taken_back, by=fresh(maria))
    ChatSession.objects.update(handed_to=None)

    migration = importlib.import_module("transfers.migrations.0005_fill_handed_to")
    migration.fill_handed_to(apps, schema_editor=None)

    stored = dict(ChatSession.objects.values_list("pk", "handed_to"))
    assert (stored[unanswered.pk], stored[answered.pk], stored[taken_back.pk]) == (bob.pk, None, None)


def test_without_acceptance_choosing_nobody_points_to_the_owner_list(instant_channel, alice):
    chat = active_chat(alice, instant_channel)

    with pytest.raises(Invalid) as refused:
        services.transfer_start(session=chat, by=fresh(alice), to_agent_id="")
    assert refused.value.message == "Choose the new owner in the Owner list."


def test_channel_without_acceptance_still_refuses_an_away_colleague(instant_channel, alice):
    chat = active_chat(alice, instant_channel)
    away = make_agent("adam", present=False, channel=instant_channel)

    with pytest.raises(Invalid, match="Away"):
        offer(chat, alice, away)
    chat.refresh_from_db()
    assert chat.owner == alice and not Transfer.objects.exists()


# Listening mode and "Can listen in" ------------------------------------------------------------------------


def test_close_window_removes_the_chat_from_the_old_owners_sessions_list(chat, alice, bob):
    services.transfer_accept(transfer=offer(chat, alice, bob), by=fresh(bob))
    assert chat.pk in {c.pk for c in workspace_lists.sessions_list(fresh(alice))}

    listeners.listener_close_window(session=chat, agent=fresh(alice))

    assert chat.pk not in {c.pk for c in workspace_lists.sessions_list(fresh(alice))}
    assert chat.pk in {c.pk for c in workspace_lists.sessions_list(fresh(bob))}
    assert Listener.objects.get(session=chat, agent=alice).closed_at is not None
    chat.refresh_from_db()
    assert access_for(fresh(alice), chat) is None, "after Close window the old owner no longer sees the chat"


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_close_window_is_refused_to_someone_not_listening(chat, alice, dave, who):
    with pytest.raises(NotAllowed, match="You are not listening to this chat"):
        listeners.listener_close_window(session=chat, agent=fresh(alice if who == "owner" else dave))


def test_close_window_twice_is_refused_the_second_time(chat, alice, bob):
    services.transfer_accept(transfer=offer(chat, alice, bob), by=fresh(bob))
    listeners.listener_close_window(session=chat, agent=fresh(alice))

    with pytest.raises(NotAllowed):
        listeners.listener_close_window(session=chat, agent=fresh(alice))


@pytest.mark.parametrize("granted_by", ["django_permission", "channel_right", "channel_manager", "managers_group"])
def test_listening_in_is_recorded_for_whoever_may_listen_in(chat, channel, granted_by):
    supervisor = {
        "django_permission": lambda: make_listen_in_agent(channel=channel),
        "channel_right": lambda: make_agent("cleo", channel=channel, can_listen_in=True),
        "channel_manager": lambda: make_agent("lars", channel=channel, is_manager=True),
        "managers_group": lambda: make_manager(channel=channel),
    }[granted_by]()

    visit = listeners.listen_in_start(session=chat, agent=fresh(supervisor))

    assert visit.reason == Listener.Reason.SUPERVISOR and visit.agent == supervisor and visit.session == chat
    assert visit.closed_at is None
    access = access_for(fresh(supervisor), chat)
    assert access.role == "supervisor" and not access.can_send and access.can_close_window


@pytest.mark.parametrize("who", ["colleague", "listener_on_another_channel"])
def test_listening_in_needs_the_can_listen_in_permission(chat, channel, who):
    actor = (
        make_agent("dave", channel=channel)
        if who == "colleague"
        else make_agent("cleo", channel=ChannelFactory(slug="sales"), can_listen_in=True)
    )

    with pytest.raises(NotAllowed, match="Can listen in"):
        listeners.listen_in_start(session=chat, agent=fresh(actor))
    assert not Listener.objects.exists()
    assert access_for(fresh(actor), chat) is None


def test_close_window_ends_a_supervisors_listen_in_visit_and_no_one_elses(chat, channel):
    carol = make_listen_in_agent(channel=channel)
    maria = make_manager(channel=channel)
    for supervisor in (carol, carol, maria):  # carol's panel socket connected twice (a reconnect)
        listeners.listen_in_start(session=chat, agent=fresh(supervisor))

    listeners.listener_close_window(session=chat, agent=fresh(carol))

    open_visits = Listener.objects.filter(session=chat, closed_at__isnull=True)
    assert list(open_visits.values_list("agent__username", flat=True)) == ["maria"]
    assert Listener.objects.filter(session=chat, agent=carol).count() == 2, "the visits stay on record"
    listeners.listener_close_window(session=chat, agent=fresh(carol))  # a second click closes an empty window


def test_listening_in_is_read_only_and_unseen(chat, channel, alice):
    carol = make_listen_in_agent(channel=channel)
    listeners.listen_in_start(session=chat, agent=fresh(carol))

    with pytest.raises(NotAllowed):
        messages.message_post_by_agent(session_id=chat.pk, agent=fresh(carol), body="psst")
    assert chat.pk not in {c.pk for c in workspace_lists.sessions_list(fresh(carol))}
    assert carol.pk not in watchers_of(chat)


# The hand-over history ------------------------------------------------------------------------------------


def test_every_transfer_take_over_and_reassign_is_kept_in_the_history(chat, channel, alice, bob, dave, maria):
    services.transfer_reject(transfer=offer(chat, alice, bob, note="first try"), by=fresh(bob))
    services.transfer_cancel(transfer=offer(chat, alice, dave, note="second try"), by=fresh(alice))
    services.transfer_accept(transfer=offer(chat, alice, bob, note="third try"), by=fresh(bob))
    services.session_take_over(session=chat, by=fresh(maria))
    channel.transfers_need_acceptance = False
    channel.save()
    offer(chat, maria, dave, note="over to you")

    history = [
        (t.kind, t.from_agent.username, t.to_agent.username, t.requested_by.username, t.note, t.status,
         t.decided_by.username)
        for t in selectors.transfer_history(chat)
    ]
    assert history == [
        ("transfer", "alice", "bob", "alice", "first try", "rejected", "bob"),
        ("transfer", "alice", "dave", "alice", "second try", "cancelled", "alice"),
        ("transfer", "alice", "bob", "alice", "third try", "accepted", "bob"),
        ("take_over", "bob", "maria", "maria", "", "accepted", "maria"),
        ("reassign", "maria", "dave", "maria", "over to you", "accepted", "maria"),
    ]
    assert all(row.created_at and row.decided_at for row in selectors.transfer_history(chat))
    chat.refresh_from_db()
    assert chat.owner == dave


# Database constraints --------------------------------------------------------------------------------------


def raw_transfer(chat, from_agent, to_agent, **fields):
    return Transfer.objects.create(
        session=chat, from_agent=from_agent, to_agent=to_agent, requested_by=from_agent, **fields
    )


def test_database_refuses_a_second_pending_transfer_of_one_chat(chat, alice, bob, dave):
    raw_transfer(chat, alice, bob)

    with pytest.raises(IntegrityError), transaction.atomic():
        raw_transfer(chat, alice, dave)
    assert Transfer.objects.filter(session=chat).count() == 1


def test_database_keeps_any_number_of_closed_transfers_next_to_a_pending_one(chat, channel, alice, bob, dave):
    now = timezone.now()
    raw_transfer(chat, alice, bob, status=Transfer.Status.REJECTED, decided_at=now)
    raw_transfer(chat, alice, bob, status=Transfer.Status.CANCELLED, decided_at=now)
    raw_transfer(chat, alice, dave)
    raw_transfer(active_chat(alice, channel), alice, dave)  # another chat has its own pending transfer

    assert Transfer.objects.filter(status=Transfer.Status.PENDING).count() == 2


def test_database_refuses_a_transfer_to_the_agent_it_comes_from(chat, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_transfer(chat, alice, alice)


@pytest.mark.parametrize(
    "fields",
    [{"status": "accepted"}, {"status": "pending", "decided_at": "now"}],
    ids=["decided_without_time", "pending_with_decision_time"],
)
def test_database_refuses_a_decision_time_that_does_not_match_the_outcome(chat, alice, bob, fields):
    fields = {k: timezone.now() if v == "now" else v for k, v in fields.items()}

    with pytest.raises(IntegrityError), transaction.atomic():
        raw_transfer(chat, alice, bob, **fields)


@pytest.mark.parametrize(
    ("status", "has_owner", "allowed"),
    [
        ("queued", False, True),
        ("queued", True, False),
        ("active", True, True),
        ("active", False, False),
        ("ended", True, True),
        ("ended", False, True),
    ],
)
def test_database_keeps_a_chats_owner_consistent_with_its_status(channel, alice, status, has_owner, allowed):
    def create():
        with transaction.atomic():
            ChatSession.objects.create(
                channel=channel, visitor_name="Vera", status=status, owner=alice if has_owner else None
            )

    if allowed:
        create()
        assert ChatSession.objects.filter(status=status).count() == 1
    else:
        with pytest.raises(IntegrityError):
            create()
        assert not ChatSession.objects.exists()


def test_refusals_are_sentences_a_person_can_read(chat, alice, bob, dave):
    transfer = offer(chat, alice, bob)
    refusals = []
    for attempt in (
        lambda: offer(chat, alice, dave),
        lambda: services.transfer_accept(transfer=transfer, by=fresh(dave)),
        lambda: services.transfer_cancel(transfer=transfer, by=fresh(bob)),
        lambda: services.session_take_over(session=chat, by=fresh(dave)),
        lambda: offer(chat, alice, bob, note="x" * 2000),
    ):
        with pytest.raises((Conflict, Invalid, NotAllowed)) as refused:
            attempt()
        refusals.append(refused.value.message)
    assert all(is_sentence(message) for message in refusals), refusals
