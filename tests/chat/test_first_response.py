"""The chat's first response: the time of its first agent line, kept on the chat by the services that post
lines (the Reports' first response time reads it), and filled in for older chats by a data migration."""

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import ChatSession, Message
from chat.services.files import file_send_by_agent
from chat.services.messages import message_post_by_agent, message_post_by_visitor
from tests.factories import ChatSessionFactory, active_chat

pytestmark = pytest.mark.django_db


def first_response_of(session):
    return ChatSession.objects.values_list("first_response_at", flat=True).get(pk=session.pk)


def test_the_first_agent_line_is_the_first_response_and_a_later_line_does_not_move_it(support, alice):
    chat = active_chat(support, alice)
    message_post_by_visitor(session=chat, body="Hello?")
    assert first_response_of(chat) is None

    first = message_post_by_agent(session_id=chat.pk, agent=alice, body="Hi, how can I help?")
    message_post_by_agent(session_id=chat.pk, agent=alice, body="Are you still there?")

    assert first_response_of(chat) == first.created_at


def test_a_file_can_be_the_first_response(support, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    chat = active_chat(support, alice)

    sent = file_send_by_agent(
        session=chat, agent=alice, upload=SimpleUploadedFile("order.txt", b"Order 42", content_type="text/plain")
    )

    assert first_response_of(chat) == sent.created_at


def test_the_migration_fills_in_older_chats_from_their_first_agent_line(support, alice):
    answered, unanswered = active_chat(support, alice), ChatSessionFactory(channel=support)
    Message.objects.create(session=answered, kind=Message.Kind.VISITOR, body="Hello")
    first = Message.objects.create(session=answered, kind=Message.Kind.AGENT, author=alice, body="Hi")
    Message.objects.create(session=answered, kind=Message.Kind.AGENT, author=alice, body="More")
    Message.objects.create(session=unanswered, kind=Message.Kind.VISITOR, body="Anyone?")

    migration = importlib.import_module("chat.migrations.0013_chatsession_first_response_at")
    migration.fill_first_response(apps, schema_editor=None)

    assert first_response_of(answered) == first.created_at
    assert first_response_of(unanswered) is None
