"""The page a visitor opens reaches the agent's open chat panel at once, and only there: the widget's own
socket does no work for it."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.models import PageView
from tests.factories import active_chat
from tests.transfers import frame_with, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def report(chat, url, title):
    return await database_sync_to_async(Client().post)(
        f"/widget/{chat.channel.slug}/chat/{chat.token}/page/", {"url": url, "title": title}
    )


async def test_the_agents_panel_shows_the_page_the_visitor_opens(support, alice):
    chat = await database_sync_to_async(active_chat)(support, alice, visitor_name="Vera")
    panel = await socket(f"/ws/chats/{chat.pk}/", alice)
    await frame_with(panel, f'id="transcript-{chat.pk}"')
    widget = await socket(f"/ws/widget/{chat.token}/")
    await frame_with(widget, 'id="widget-status"')
    while not await widget.receive_nothing(timeout=0.2):
        await widget.receive_output()

    assert (await report(chat, "http://testserver/pricing/", "Pricing & <plans>")).status_code == 204

    pushed = await frame_with(panel, f'id="visitor-page-{chat.pk}"', f'id="visitor-pages-{chat.pk}"')
    assert "Pricing &amp; &lt;plans&gt;</a>" in pushed
    assert 'href="http://testserver/pricing/"' in pushed
    assert await widget.receive_nothing(timeout=0.3)
    assert await database_sync_to_async(PageView.objects.count)() == 1
    await panel.disconnect()
    await widget.disconnect()


async def test_the_same_page_again_pushes_nothing(support, alice):
    chat = await database_sync_to_async(active_chat)(support, alice)
    await report(chat, "http://testserver/", "Home")
    panel = await socket(f"/ws/chats/{chat.pk}/", alice)
    await frame_with(panel, f'id="transcript-{chat.pk}"')

    assert (await report(chat, "http://testserver/", "Home")).status_code == 204

    assert await panel.receive_nothing(timeout=0.3)
    await panel.disconnect()
