"""The Dashboard and the chat panel cost the same number of SQL queries however much history there is.

Each page is loaded once to warm up (the first load may create a read mark or fill caches), then measured;
more rows are added in bulk, the page is warmed up and measured again, and the two counts must match.
"""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.models import ChatSession, Listener, Message, ReadMark
from helpdesk.models import Request
from tests.factories import make_agent
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(support):
    """The agent who loads the page and three colleagues who own chats too."""
    return [make_agent(name, channel=support) for name in ("alice", "bob", "dora", "eve")]


def queries_for(client, path):
    client.get(path)  # warm-up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def add_chats(channel, team, count, start=0):
    """`count` chats in mixed states: queued, active (owned around the team, some offered to the viewer,
    some the viewer listens to after handing over), and ended; each with messages and read marks."""
    viewer, *colleagues = team
    statuses = itertools.cycle([ChatSession.Status.QUEUED, ChatSession.Status.ACTIVE, ChatSession.Status.ENDED])
    owners = itertools.cycle(team)
    now = timezone.now()
    sessions = []
    for n in range(start, start + count):
        status = next(statuses)
        owner = None if status == ChatSession.Status.QUEUED else next(owners)
        sessions.append(ChatSession(
            channel=channel, visitor_name=f"Visitor {n}", visitor_email=f"v{n}@example.org", question=f"Question {n}",
            status=status, owner=owner,
            answered_at=now if owner else None,
            ended_at=now if status == ChatSession.Status.ENDED else None,
        ))
    sessions = ChatSession.objects.bulk_create(sessions)

    messages = []
    for session in sessions:
        messages.append(Message(session=session, kind=Message.Kind.VISITOR, body=session.question))
        if session.owner_id:
            messages.append(Message(session=session, kind=Message.Kind.EVENT, event=Message.Event.AGENT_JOINED,
                                    author_id=session.owner_id))
            messages.append(Message(session=session, kind=Message.Kind.AGENT, author_id=session.owner_id, body="Hi"))
            messages.append(Message(session=session, kind=Message.Kind.VISITOR, body="Thanks"))
    Message.objects.bulk_create(messages)

    owned = [s for s in sessions if s.owner_id]
    ReadMark.objects.bulk_create(
        [ReadMark(session=s, agent_id=s.owner_id, last_read_message_id=0) for s in owned[::2]]
    )
    active_by_colleagues = [s for s in owned if s.status == ChatSession.Status.ACTIVE and s.owner_id != viewer.pk]
    Transfer.objects.bulk_create([
        Transfer(session=s, from_agent_id=s.owner_id, to_agent=viewer, requested_by_id=s.owner_id)
        for s in active_by_colleagues[::3]
    ])
    Listener.objects.bulk_create([
        Listener(session=s, agent=viewer, reason=Listener.Reason.HANDED_OVER) for s in active_by_colleagues[1::3]
    ])
    Request.objects.bulk_create([
        Request(source=Request.Source.OFFLINE_FORM, channel=channel, name=f"Visitor {n}", email=f"v{n}@example.org",
                title=f"Request {n}", body=f"Please call me back ({n})")
        for n in range(start, start + count, 10)
    ])
    return sessions


def test_the_dashboard_costs_the_same_queries_with_10_and_with_1000_chats(support, team):
    viewer = team[0]
    client = Client()
    client.force_login(viewer)
    add_chats(support, team, 10)
    with_10 = queries_for(client, "/")

    add_chats(support, team, 990, start=10)
    assert ChatSession.objects.count() == 1000
    with_1000 = queries_for(client, "/")

    assert with_1000 == with_10


def test_the_chat_panel_costs_the_same_queries_with_10_and_with_1000_messages(support, team):
    viewer, colleague = team[0], team[1]
    session = ChatSession.objects.create(
        channel=support, visitor_name="Vera", status=ChatSession.Status.ACTIVE, owner=viewer,
        answered_at=timezone.now(),
    )
    Transfer.objects.create(session=session, from_agent=viewer, to_agent=colleague, requested_by=viewer)

    def add_messages(count):
        kinds = itertools.cycle([
            {"kind": Message.Kind.VISITOR, "body": "Where is my parcel?"},
            {"kind": Message.Kind.AGENT, "author": viewer, "body": "Let me look."},
            {"kind": Message.Kind.EVENT, "event": Message.Event.AGENT_JOINED, "author": colleague},
        ])
        Message.objects.bulk_create([Message(session=session, **next(kinds)) for _ in range(count)])

    client = Client()
    client.force_login(viewer)
    add_messages(10)
    with_10 = queries_for(client, f"/chats/{session.pk}/")

    add_messages(990)
    assert session.messages.count() == 1000
    with_1000 = queries_for(client, f"/chats/{session.pk}/")

    assert with_1000 == with_10
