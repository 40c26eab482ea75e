"""What a new line's event carries: the id of the chat's line before it, and each watching agent's count of
unread visitor lines, read in one statement (chat/selectors.py)."""

import pytest

from chat import selectors
from chat.models import Message, ReadMark
from tests.factories import active_chat

pytestmark = pytest.mark.django_db


def line(chat, kind, **fields):
    return Message.objects.create(session=chat, kind=kind, body="...", **fields)


def test_a_chats_first_line_follows_nothing_and_a_later_one_follows_the_line_before_it(support, alice):
    chat, other = active_chat(support, alice), active_chat(support, alice)
    first = line(chat, Message.Kind.VISITOR)
    line(other, Message.Kind.VISITOR)  # another chat's line in between does not count
    second = line(chat, Message.Kind.AGENT, author=alice)

    assert selectors.line_before(first) == 0
    assert selectors.line_before(second) == first.pk


def test_each_agent_counts_the_visitor_lines_after_their_own_read_mark(support, alice, bob, carol):
    chat = active_chat(support, alice)
    read = line(chat, Message.Kind.VISITOR)
    ReadMark.objects.create(session=chat, agent=alice, last_read_message_id=read.pk)
    line(chat, Message.Kind.AGENT, author=alice)  # an agent's line is never unread
    line(chat, Message.Kind.EVENT, event=Message.Event.AGENT_JOINED, author=bob)
    before = line(chat, Message.Kind.VISITOR)
    newest = line(chat, Message.Kind.VISITOR)
    ReadMark.objects.create(session=chat, agent=carol, last_read_message_id=newest.pk)

    assert selectors.line_before_and_unread(newest, [alice.pk, bob.pk, carol.pk, alice.pk]) == (
        before.pk, {alice.pk: 2, bob.pk: 3, carol.pk: 0},
    )
    assert selectors.line_before_and_unread(newest, []) == (before.pk, {})
