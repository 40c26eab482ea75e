"""Two people acting on one chat at the same moment: exactly one wins, the other gets a clear answer.

Real threads, each with its own database connection, released together by a Barrier. Runs on the
embedded SQLite (where IMMEDIATE transactions serialise the writers) and on PostgreSQL (where the row
lock on the chat and the status conditions in the UPDATEs do).
"""

import threading

import pytest
from django.db import connection

from chat.models import ChatSession, Listener, Message
from helpdesk.errors import Conflict, ServiceError
from helpdesk.templatetags.people import person
from tests.factories import make_agent
from tests.transfers import active_chat, fresh, make_manager, offer, support_channel
from transfers import services
from transfers.models import Transfer

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3  # a few chats per test, so the threads meet in more than one interleaving
THREAD_GUARD_SECONDS = 60  # only against a deadlock hanging the suite; no test measures time


def race(*calls):
    """Run the calls in parallel threads, all released at once; returns ("ok", value) or ("refused", error)."""
    barrier = threading.Barrier(len(calls), timeout=THREAD_GUARD_SECONDS)
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except ServiceError as error:
            results[index] = ("refused", error)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = ("crashed", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_GUARD_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck: deadlock?"
    crashed = [result for result in results if result[0] == "crashed"]
    assert not crashed, f"a thread failed with an unexpected error: {crashed}"
    return results


@pytest.fixture
def team():
    channel = support_channel()
    return {
        "alice": make_agent("alice", channel=channel),
        "bob": make_agent("bob", channel=channel),
        "dave": make_agent("dave", channel=channel),
        "maria": make_manager(channel=channel),
        "channel": channel,
    }


def pending_count(chat):
    return Transfer.objects.filter(session=chat, status=Transfer.Status.PENDING).count()


def joined(chat, agent):
    return Message.objects.filter(session=chat, event=Message.Event.AGENT_JOINED, author=agent).count()


def test_accept_and_cancel_at_the_same_moment_exactly_one_wins(team):
    alice, bob = team["alice"], team["bob"]
    for _ in range(ROUNDS):
        chat = active_chat(alice, team["channel"])
        transfer = offer(chat, alice, bob)
        as_bob, as_alice = fresh(bob), fresh(alice)
        accepted_copy, cancelled_copy = Transfer.objects.get(pk=transfer.pk), Transfer.objects.get(pk=transfer.pk)

        (accept_kind, accept_value), (cancel_kind, cancel_value) = race(
            lambda: services.transfer_accept(transfer=accepted_copy, by=as_bob),
            lambda: services.transfer_cancel(transfer=cancelled_copy, by=as_alice),
        )

        assert sorted([accept_kind, cancel_kind]) == ["ok", "refused"]
        transfer.refresh_from_db()
        chat.refresh_from_db()
        if accept_kind == "ok":
            assert isinstance(cancel_value, Conflict)
            assert cancel_value.message == f"{person(bob)} already accepted this transfer."
            assert transfer.status == Transfer.Status.ACCEPTED and chat.owner == bob
            assert joined(chat, bob) == 1
            assert Listener.objects.filter(session=chat, agent=alice, closed_at__isnull=True).count() == 1
        else:
            assert isinstance(accept_value, Conflict) and accept_value.message == "This transfer was cancelled."
            assert transfer.status == Transfer.Status.CANCELLED and chat.owner == alice
            assert joined(chat, bob) == 0 and not Listener.objects.filter(session=chat).exists()
        assert pending_count(chat) == 0


def test_accept_and_take_over_at_the_same_moment_leave_one_consistent_history(team):
    alice, bob, maria = team["alice"], team["bob"], team["maria"]
    for _ in range(ROUNDS):
        chat = active_chat(alice, team["channel"])
        transfer = offer(chat, alice, bob)
        as_bob, as_maria = fresh(bob), fresh(maria)
        copy = Transfer.objects.get(pk=transfer.pk)
        chat_copy = ChatSession.objects.get(pk=chat.pk)

        (accept_kind, accept_value), (take_kind, take_value) = race(
            lambda: services.transfer_accept(transfer=copy, by=as_bob),
            lambda: services.session_take_over(session=chat_copy, by=as_maria),
        )

        assert take_kind == "ok", f"the manager's take-over must not fail: {take_value}"
        transfer.refresh_from_db()
        chat.refresh_from_db()
        assert chat.owner == maria, "the take-over is the last hand-over in either order"
        if accept_kind == "ok":
            # bob accepted first; maria then took the chat from him.
            assert transfer.status == Transfer.Status.ACCEPTED
            assert take_value.from_agent == bob
            expected_chain = [("alice", "bob"), ("bob", "maria")]
        else:
            assert isinstance(accept_value, Conflict)
            assert accept_value.message == f"{person(maria)} took over the chat.", "say who took the chat"
            assert transfer.status == Transfer.Status.CANCELLED and transfer.decided_by == maria
            assert take_value.from_agent == alice
            expected_chain = [("alice", "maria")]
        chain = list(
            Transfer.objects.filter(session=chat, status=Transfer.Status.ACCEPTED)
            .order_by("id")
            .values_list("from_agent__username", "to_agent__username")
        )
        assert chain == expected_chain
        events = list(
            Message.objects.filter(session=chat, event=Message.Event.AGENT_JOINED)
            .order_by("id")
            .values_list("author__username", flat=True)
        )
        assert events == [to for _from, to in expected_chain], "one 'joined' event per hand-over, in order"
        listening = set(
            Listener.objects.filter(session=chat, closed_at__isnull=True).values_list("agent__username", flat=True)
        )
        assert listening == {from_ for from_, _to in expected_chain}
        assert pending_count(chat) == 0


def test_double_clicked_accept_hands_the_chat_over_once(team):
    alice, bob = team["alice"], team["bob"]
    for _ in range(ROUNDS):
        chat = active_chat(alice, team["channel"])
        transfer = offer(chat, alice, bob)
        first, second = fresh(bob), fresh(bob)
        copies = [Transfer.objects.get(pk=transfer.pk) for _ in range(2)]

        results = race(
            lambda: services.transfer_accept(transfer=copies[0], by=first),
            lambda: services.transfer_accept(transfer=copies[1], by=second),
        )

        kinds = sorted(kind for kind, _value in results)
        assert kinds == ["ok", "refused"]
        refusal = next(value for kind, value in results if kind == "refused")
        assert isinstance(refusal, Conflict) and refusal.message == f"{person(bob)} already accepted this transfer."
        chat.refresh_from_db()
        assert chat.owner == bob
        assert joined(chat, bob) == 1
        assert Listener.objects.filter(session=chat, agent=alice).count() == 1


def test_two_transfers_started_at_once_leave_exactly_one_waiting(team):
    alice, bob, dave = team["alice"], team["bob"], team["dave"]
    for _ in range(ROUNDS):
        chat = active_chat(alice, team["channel"])
        by_first, by_second = fresh(alice), fresh(alice)
        copies = [ChatSession.objects.get(pk=chat.pk) for _ in range(2)]

        results = race(
            lambda: services.transfer_start(session=copies[0], by=by_first, to_agent_id=bob.pk),
            lambda: services.transfer_start(session=copies[1], by=by_second, to_agent_id=dave.pk),
        )

        assert sorted(kind for kind, _value in results) == ["ok", "refused"]
        winner = next(value for kind, value in results if kind == "ok")
        refusal = next(value for kind, value in results if kind == "refused")
        assert isinstance(refusal, Conflict)
        assert refusal.message in {
            f"A transfer to {person(winner.to_agent)} is already waiting for an answer.",
            "Another transfer of this chat is already waiting for an answer.",
        }
        assert list(Transfer.objects.filter(session=chat).values_list("pk", "status")) == [(winner.pk, "pending")]
        chat.refresh_from_db()
        assert chat.owner == alice
