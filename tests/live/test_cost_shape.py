"""What one event costs the server does not grow with the number of people watching.

Counted through the real ASGI stack: SQL statements (in every thread: the consumers' database work runs
in a thread pool) and, on PostgreSQL, connections its pool opened, from the write until every screen it
concerns shows it. The same event must cost the same with 5 and with 200 workspaces open, and sockets it does not
concern must receive nothing. These are shapes, not speeds: tests/load/ measures time.
"""

import asyncio
import contextlib
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.db.backends import utils as db_utils
from django.utils import timezone

from chat.models import ChatSession
from chat.services.messages import message_post_by_visitor
from chat.services.sessions import session_answer, session_start
from tests.factories import ChatSessionFactory, make_agent
from tests.live.test_consumers import FRAME_WAIT, frame_with, session_cookie, socket

pytestmark = pytest.mark.django_db(transaction=True)


COLLEAGUES = 10  # the workspaces belong to this many agents with the same rights: one audience


@pytest.fixture(autouse=True)
def no_background_work(settings, monkeypatch):
    """What is counted is the event's own work: the process's sweeper (live/sweeper.py) and the
    workspaces' heartbeats run on a clock, here too rarely to land in it."""
    monkeypatch.setattr("live.sweeper.MAX_ROUND_SECONDS", 3600)
    settings.PRESENCE_GRACE_SECONDS = 3600


class Cost:
    def __init__(self):
        self.statements = []
        self.lock = threading.Lock()
        self.opened_at_start = connections_opened()
        self.connections_opened = None

    def as_tuple(self):
        return len(self.statements), self.connections_opened


def connections_opened():
    """Connections PostgreSQL's pool has opened so far (None on SQLite, whose connections are files)."""
    pool = getattr(connection, "pool", None)
    return pool.get_stats()["connections_num"] if pool is not None else None


@contextlib.contextmanager
def counted():
    """Every SQL statement, in any thread, and every new database connection, while the block runs."""
    cost = Cost()
    execute = db_utils.CursorWrapper._execute_with_wrappers

    def counting_execute(self, sql, *args, **kwargs):
        with cost.lock:
            cost.statements.append(sql)
        return execute(self, sql, *args, **kwargs)

    db_utils.CursorWrapper._execute_with_wrappers = counting_execute
    try:
        yield cost
    finally:
        db_utils.CursorWrapper._execute_with_wrappers = execute
        if cost.opened_at_start is not None:
            cost.connections_opened = connections_opened() - cost.opened_at_start


@database_sync_to_async
def team_of(channel, count):
    return [make_agent(f"colleague{n}", channel=channel) for n in range(count)]


async def open_sockets(paths_and_users):
    """Connected communicators, their first frames read, so what comes next is the event's."""
    cookies = {}
    communicators = []
    for path, user in paths_and_users:
        if user is not None and user.pk not in cookies:
            cookies[user.pk] = await database_sync_to_async(session_cookie)(user)
        communicator = await socket(path)
        if user is not None:
            communicator.scope["headers"].append((b"cookie", cookies[user.pk]))
        connected, _ = await communicator.connect(timeout=FRAME_WAIT)
        assert connected
        communicators.append(communicator)
    await settle(communicators)
    return communicators


async def settle(communicators):
    """Let every socket finish what it is doing, then forget the frames it sent."""
    for _ in range(3):
        await asyncio.sleep(0.2)
        for communicator in communicators:
            while not communicator.output_queue.empty():
                communicator.output_queue.get_nowait()


async def workspaces(colleagues, count):
    return await open_sockets([("/ws/workspace/", colleagues[n % len(colleagues)]) for n in range(count)])


async def close(communicators):
    for communicator in communicators:
        await communicator.disconnect(timeout=FRAME_WAIT)


async def cost_of_a_new_chat(support, colleagues, watching):
    screens = await workspaces(colleagues, watching)
    with counted() as cost:
        await database_sync_to_async(session_start)(channel=support, visitor_name="Vera", question="Hello?")
        for screen in screens:
            assert "Vera" in await frame_with(screen, 'id="incoming-list"')
    await close(screens)
    return cost.as_tuple()


async def test_a_new_chat_costs_the_same_queries_with_5_and_with_200_workspaces_open(support):
    colleagues = await team_of(support, COLLEAGUES)
    with_5 = await cost_of_a_new_chat(support, colleagues, 5)
    await database_sync_to_async(ChatSession.objects.all().delete)()
    with_200 = await cost_of_a_new_chat(support, colleagues, 200)

    assert with_200 == with_5, "(statements, connections opened) of one new chat"


@database_sync_to_async
def answered_chat(support, owner):
    return ChatSessionFactory(channel=support, owner=owner, status=ChatSession.Status.ACTIVE,
                              answered_at=timezone.now())


async def cost_of_a_message(chat, owner, watchers, others, text):
    """The visitor writes: the owner's panel and the widget show it, the owner's workspace counts it (and
    sends its list only if the panel has not marked the line read first), and nobody else's socket
    hears of it."""
    panel, widget, _workspace = watchers
    with counted() as cost:
        await database_sync_to_async(message_post_by_visitor)(session=chat, body=text)
        assert text in await frame_with(panel, text)
        assert text in await frame_with(widget, text)
        await settle(watchers)
    assert all(other.output_queue.empty() for other in others), "a socket the message does not concern heard of it"
    return cost.as_tuple()


async def test_a_message_costs_a_fixed_number_of_queries_however_many_workspaces_are_open(support):
    alice = await database_sync_to_async(make_agent)("alice", channel=support)
    colleagues = await team_of(support, COLLEAGUES)
    chat = await answered_chat(support, alice)
    watchers = await open_sockets([
        (f"/ws/chats/{chat.pk}/", alice), (f"/ws/widget/{chat.token}/", None), ("/ws/workspace/", alice),
    ])
    await cost_of_a_message(chat, alice, watchers, [], "The first line makes the read marks")
    costs = []
    for watching in (5, 200):
        others = await workspaces(colleagues, watching)
        costs.append(await cost_of_a_message(chat, alice, watchers, others, f"First of {watching}"))
        costs.append(await cost_of_a_message(chat, alice, watchers, others, f"Second of {watching}"))
        await close(others)
    await close(watchers)

    assert len(set(costs)) == 1, f"(statements, connections opened) per message: {costs}"
    assert costs[0][1] in (0, None), "a message borrows pooled connections, it opens none"


async def test_the_sockets_of_a_chat_show_a_new_line_from_its_event_without_reading_it_back(support):
    alice = await database_sync_to_async(make_agent)("alice", channel=support)
    chat = await answered_chat(support, alice)
    watchers = await open_sockets([(f"/ws/chats/{chat.pk}/", alice), (f"/ws/widget/{chat.token}/", None)])
    panel, widget = watchers

    with counted() as cost:
        await database_sync_to_async(message_post_by_visitor)(session=chat, body="Carried along")
        assert "Carried along" in await frame_with(panel, "Carried along")
        assert "Carried along" in await frame_with(widget, "Carried along")
        await settle(watchers)
    await close(watchers)

    transcript_reads = [sql for sql in cost.statements if '"chat_attachment"' in sql and '"chat_message"."id" >' in sql]
    assert transcript_reads == [], "a socket read back the line its event carried"


async def test_a_socket_that_missed_a_line_reads_it_back_before_the_next_one(support):
    """A line whose event never came (a lost push) shows up with the next line, in order, exactly once."""
    from chat.models import Message

    alice = await database_sync_to_async(make_agent)("alice", channel=support)
    chat = await answered_chat(support, alice)
    watchers = await open_sockets([(f"/ws/chats/{chat.pk}/", alice), (f"/ws/widget/{chat.token}/", None)])
    panel, widget = watchers

    await database_sync_to_async(Message.objects.create)(session=chat, kind=Message.Kind.VISITOR, body="Unannounced")
    await database_sync_to_async(message_post_by_visitor)(session=chat, body="Announced")

    for communicator in watchers:
        html = await frame_with(communicator, "Announced")
        assert html.count("Unannounced") == 1 and html.index("Unannounced") < html.index("Announced")
    await close(watchers)


async def test_an_answer_re_renders_only_the_takers_chats_lists_not_their_whole_workspace(support):
    """Their profile, rights, alerts, requests and offers did not change: the taker's workspace reads only
    the lists an answered chat enters (events.CHAT_LISTS)."""
    alice = await database_sync_to_async(make_agent)("alice", channel=support)
    chat = await database_sync_to_async(session_start)(channel=support, visitor_name="Vera", question="Hello?")
    screens = await open_sockets([("/ws/workspace/", alice)])

    with counted() as cost:
        await database_sync_to_async(session_answer)(session=chat, agent=alice)
        assert "Vera" in await frame_with(screens[0], 'id="sessions-list"')
        await settle(screens)
    await close(screens)

    profile_reads = [sql for sql in cost.statements if 'FROM "helpdesk_agentprofile"' in sql]
    request_reads = [sql for sql in cost.statements if 'FROM "helpdesk_request"' in sql]
    assert (profile_reads, request_reads) == ([], [])
