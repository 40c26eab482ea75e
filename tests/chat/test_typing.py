"""Typing indicators: each side reports over HTTP, the other side is told over its websocket, nobody is
shown their own typing, and only the chat's people can report."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession, Message
from tests.factories import ChatSessionFactory, logged_in, make_agent
from tests.transfers import frame_with, make_listen_in_agent, socket

pytestmark = pytest.mark.django_db(transaction=True)


def named_agent(username, first_name, last_name, channel, **rights):
    user = make_agent(username, channel=channel, **rights)
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def alice(support):
    return named_agent("alice", "Alice", "Andersson", support)


@pytest.fixture
def chat(support, alice):
    return ChatSessionFactory(
        channel=support, owner=alice, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_name="Vera",
    )


async def visitor_types(chat, token=None):
    url = f"/widget/{chat.channel.slug}/chat/{token or chat.token}/typing/"
    return await database_sync_to_async(Client().post)(url)


async def agent_types(chat, agent):
    client = await database_sync_to_async(logged_in)(agent)
    return await database_sync_to_async(client.post)(f"/chats/{chat.pk}/typing/")


async def open_panel(chat, agent):
    panel = await socket(f"/ws/chats/{chat.pk}/", agent)
    await frame_with(panel, f'id="transcript-{chat.pk}"')  # the full panel, sent on connect
    return panel


async def open_widget(chat):
    widget = await socket(f"/ws/widget/{chat.token}/")
    await frame_with(widget, 'id="widget-status"')
    return widget


async def test_the_agent_sees_the_visitor_typing(chat, alice):
    panel = await open_panel(chat, alice)

    response = await visitor_types(chat)

    assert response.status_code == 204
    shown = await frame_with(panel, f'id="typing-{chat.pk}"')
    assert "Vera is typing…" in shown
    assert await database_sync_to_async(Message.objects.filter(session=chat).count)() == 0  # nothing stored
    await panel.disconnect()


async def test_the_visitor_sees_the_agent_typing_by_first_name(chat, alice):
    widget = await open_widget(chat)

    response = await agent_types(chat, alice)

    assert response.status_code == 204
    shown = await frame_with(widget, 'id="widget-typing"')
    assert "Alice is typing…" in shown and "Andersson" not in shown
    await widget.disconnect()


async def test_the_visitor_is_not_shown_their_own_typing(chat, alice):
    widget = await open_widget(chat)

    await visitor_types(chat)
    await agent_types(chat, alice)

    # Events reach the socket in order: had the visitor's own typing been shown, it would come first.
    first_indicator = await frame_with(widget, 'id="widget-typing"')
    assert "Alice is typing…" in first_indicator and "Vera" not in first_indicator
    await widget.disconnect()


async def test_the_agent_is_not_shown_their_own_typing(chat, alice):
    panel = await open_panel(chat, alice)

    await agent_types(chat, alice)
    await visitor_types(chat)

    first_indicator = await frame_with(panel, f'id="typing-{chat.pk}"')
    assert "Vera is typing…" in first_indicator and "Alice" not in first_indicator
    await panel.disconnect()


async def test_a_colleague_listening_in_sees_both_sides_typing(chat, alice, support):
    carol = await database_sync_to_async(make_listen_in_agent)("carol", channel=support)
    panel = await open_panel(chat, carol)

    await agent_types(chat, alice)
    assert "Alice Andersson is typing…" in await frame_with(panel, f'id="typing-{chat.pk}"')
    await visitor_types(chat)
    assert "Vera is typing…" in await frame_with(panel, f'id="typing-{chat.pk}"')
    await panel.disconnect()


async def test_a_forged_token_cannot_report_typing(chat):
    response = await visitor_types(chat, token="x" * 43)

    assert response.status_code == 404


async def test_another_agent_cannot_report_typing_in_a_chat_they_do_not_own(chat, alice, support):
    bob = await database_sync_to_async(named_agent)("bob", "Bob", "de Boer", support)
    widget = await open_widget(chat)

    refused = await agent_types(chat, bob)
    await agent_types(chat, alice)

    assert refused.status_code == 403
    first_indicator = await frame_with(widget, 'id="widget-typing"')
    assert "Alice is typing…" in first_indicator and "Bob" not in first_indicator
    await widget.disconnect()


async def test_the_agent_typing_report_needs_the_csrf_token(chat, alice):
    client = await database_sync_to_async(logged_in)(alice, enforce_csrf_checks=True)

    response = await database_sync_to_async(client.post)(f"/chats/{chat.pk}/typing/")

    assert response.status_code == 403


async def test_nobody_reports_typing_in_an_ended_chat(chat, alice):
    await database_sync_to_async(ChatSession.objects.filter(pk=chat.pk).update)(
        status=ChatSession.Status.ENDED, ended_at=timezone.now()
    )

    assert (await visitor_types(chat)).status_code == 409
    assert (await agent_types(chat, alice)).status_code == 409
