"""The websockets that push live updates, driven through the real ASGI stack (origin check, auth, routing).

A refused socket must be accepted and then closed with a 4xxx code: closed before accept, the browser
sees a plain network failure (1006) and the htmx ws extension retries for ever. So every refusal test
checks both that the socket was accepted and the close code.
"""

import asyncio
import re
from html.parser import HTMLParser

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from chat.services.messages import message_post_by_agent
from chat.services.sessions import session_start
from helpdesk.asgi import application
from live.consumers import FORBIDDEN, NOT_FOUND, NOT_LOGGED_IN
from tests.factories import ChatSessionFactory, active_chat, make_agent

pytestmark = pytest.mark.django_db(transaction=True)

# A bound on how long to wait for a frame before calling the test failed, not an expectation of speed.
FRAME_WAIT = 10
ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")  # a browser always sends both; the origin check compares them


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def socket(path, user=None):
    headers = [ORIGIN, HOST]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
    return WebsocketCommunicator(application, path, headers=headers)


async def expect_refusal(communicator, code):
    connected, _ = await communicator.connect(timeout=FRAME_WAIT)
    assert connected, "a refused socket must be accepted first, or the browser retries for ever"
    closing = await communicator.receive_output(timeout=FRAME_WAIT)
    assert closing == {"type": "websocket.close", "code": code}
    await communicator.disconnect(timeout=FRAME_WAIT)  # the browser's answer to the close


async def frame_with(communicator, marker, limit=10):
    """The next frame that contains `marker`; the consumer may push other fragments first."""
    for _ in range(limit):
        frame = await communicator.receive_from(timeout=FRAME_WAIT)
        if marker in frame:
            return frame
    raise AssertionError(f"no frame with {marker!r} among the next {limit}")


def incoming_badge(html):
    match = re.search(r'<span id="incoming-badge"[^>]*>(\d+)</span>', html)
    return int(match.group(1)) if match else None


# --- The workspace socket -------------------------------------------------------------------------------


async def test_the_workspace_socket_refuses_someone_not_logged_in_with_4401():
    await expect_refusal(await socket("/ws/workspace/"), NOT_LOGGED_IN)


async def test_the_workspace_socket_refuses_a_user_on_no_channel_team_with_4403(support):
    from tests.factories import UserFactory

    outsider = await database_sync_to_async(UserFactory)(username="outsider")

    await expect_refusal(await socket("/ws/workspace/", outsider), FORBIDDEN)


async def test_a_socket_from_a_foreign_origin_is_refused(alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    communicator = WebsocketCommunicator(
        application, "/ws/workspace/", headers=[(b"origin", b"https://evil.example"), HOST, (b"cookie", cookie)]
    )

    await expect_refusal(communicator, FORBIDDEN)


async def test_an_agent_gets_the_current_dashboard_on_connect_and_a_new_chat_live(support, alice):
    communicator = await socket("/ws/workspace/", alice)
    connected, _ = await communicator.connect(timeout=FRAME_WAIT)
    assert connected

    assert incoming_badge(await frame_with(communicator, 'id="incoming-badge"')) == 0
    agent_state = await frame_with(communicator, 'id="presence-toggle"')
    assert 'id="sessions-list"' in agent_state

    await database_sync_to_async(session_start)(channel=support, visitor_name="Vera", question="Hello?")

    pushed = await frame_with(communicator, 'id="incoming-badge"')
    assert incoming_badge(pushed) == 1
    assert "Vera" in pushed
    await communicator.disconnect()


async def test_a_reconnecting_agent_gets_the_state_that_changed_while_away(support, alice):
    await database_sync_to_async(session_start)(channel=support, visitor_name="Vera")
    await database_sync_to_async(session_start)(channel=support, visitor_name="Walt")

    communicator = await socket("/ws/workspace/", alice)
    await communicator.connect(timeout=FRAME_WAIT)

    assert incoming_badge(await frame_with(communicator, 'id="incoming-badge"')) == 2
    await communicator.disconnect()


# --- The visitor's socket -------------------------------------------------------------------------------


async def test_the_widget_socket_refuses_an_unknown_token_with_4404():
    await expect_refusal(await socket("/ws/widget/not-a-real-token/"), NOT_FOUND)


async def test_the_visitor_receives_the_agents_reply_and_not_another_chats(support, alice):
    mine = await database_sync_to_async(active_chat)(support, alice, visitor_name="Vera")
    other = await database_sync_to_async(active_chat)(support, alice, visitor_name="Walt")
    communicator = await socket(f"/ws/widget/{mine.token}/")  # no cookie: the token names the chat
    connected, _ = await communicator.connect(timeout=FRAME_WAIT)
    assert connected
    state = await communicator.receive_from(timeout=FRAME_WAIT)
    assert 'id="widget-status"' in state and 'id="widget-transcript"' in state

    await database_sync_to_async(message_post_by_agent)(session_id=other.pk, agent=alice, body="For Walt only")
    await database_sync_to_async(message_post_by_agent)(session_id=mine.pk, agent=alice, body="Hello Vera")

    # Pushes reach a socket in order: had Walt's reply been sent here, it would be the first frame.
    pushed = await communicator.receive_from(timeout=FRAME_WAIT)
    assert "Hello Vera" in pushed
    assert "For Walt only" not in pushed
    await communicator.disconnect()


async def test_the_visitor_sees_the_agent_join(support, alice):
    session = await database_sync_to_async(session_start)(channel=support, visitor_name="Vera")
    communicator = await socket(f"/ws/widget/{session.token}/")
    await communicator.connect(timeout=FRAME_WAIT)
    assert "number 1 in the queue" in await communicator.receive_from(timeout=FRAME_WAIT)

    from chat.services.sessions import session_answer

    await database_sync_to_async(session_answer)(session=session, agent=alice)

    pushed = await communicator.receive_from(timeout=FRAME_WAIT)
    assert "You are chatting with" in pushed
    await communicator.disconnect()


async def test_the_widget_socket_leaves_the_post_chat_form_its_page_shows_and_sends_a_newer_one(support, alice):
    """Re-sending the form the page already shows would wipe the rating the visitor is choosing in it."""
    from chat.services.sessions import session_end

    session = await database_sync_to_async(active_chat)(support, alice)
    await database_sync_to_async(session_end)(session=session, agent=alice)

    shows_the_end = await socket(f"/ws/widget/{session.token}/?shown=ended")
    await shows_the_end.connect(timeout=FRAME_WAIT)
    state = await shows_the_end.receive_from(timeout=FRAME_WAIT)
    assert "The chat has ended" in state
    assert 'id="widget-composer"' not in state
    await shows_the_end.disconnect()

    rendered_before_the_end = await socket(f"/ws/widget/{session.token}/?shown=active")
    await rendered_before_the_end.connect(timeout=FRAME_WAIT)
    state = await rendered_before_the_end.receive_from(timeout=FRAME_WAIT)
    assert 'id="widget-composer"' in state and "How was your chat?" in state
    await rendered_before_the_end.disconnect()


# --- The chat panel socket ------------------------------------------------------------------------------


async def test_the_chat_panel_socket_refuses_an_agent_who_may_not_see_the_chat_with_4403(support, alice):
    bob = await database_sync_to_async(make_agent)("bob", channel=support)
    session = await database_sync_to_async(active_chat)(support, alice)

    communicator = await socket(f"/ws/chats/{session.pk}/", bob)

    await expect_refusal(communicator, FORBIDDEN)


async def test_the_chat_panel_socket_refuses_someone_not_logged_in_with_4401(support, alice):
    session = await database_sync_to_async(active_chat)(support, alice)

    await expect_refusal(await socket(f"/ws/chats/{session.pk}/"), NOT_LOGGED_IN)


async def test_the_owner_sees_a_visitor_message_arrive_in_the_chat_panel(support, alice):
    from chat.services.messages import message_post_by_visitor

    session = await database_sync_to_async(active_chat)(support, alice)
    communicator = await socket(f"/ws/chats/{session.pk}/", alice)
    connected, _ = await communicator.connect(timeout=FRAME_WAIT)
    assert connected
    assert f'id="transcript-{session.pk}"' in await communicator.receive_from(timeout=FRAME_WAIT)

    await database_sync_to_async(message_post_by_visitor)(session=session, body="Is anyone there?")

    assert "Is anyone there?" in await communicator.receive_from(timeout=FRAME_WAIT)
    await communicator.disconnect()


async def test_the_chat_panel_socket_re_sends_only_what_changed(support, alice):
    """Another visitor arriving changes the team, not this chat: nothing of the panel is swapped under the
    agent's pointer. A message then brings the new line, not the header again."""
    from chat.services.messages import message_post_by_visitor

    session = await database_sync_to_async(active_chat)(support, alice, visitor_name="Vera")
    communicator = await socket(f"/ws/chats/{session.pk}/", alice)
    await communicator.connect(timeout=FRAME_WAIT)
    assert f'id="panel-header-{session.pk}"' in await communicator.receive_from(timeout=FRAME_WAIT)

    await database_sync_to_async(session_start)(channel=support, visitor_name="Walt", question="Hello?")
    await database_sync_to_async(message_post_by_visitor)(session=session, body="Still there?")

    frame = await communicator.receive_from(timeout=FRAME_WAIT)
    assert "Still there?" in frame
    assert f'id="panel-header-{session.pk}"' not in frame
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_the_workspace_socket_leaves_unchanged_lists_alone(support, alice):
    communicator = await socket("/ws/workspace/", alice)
    await communicator.connect(timeout=FRAME_WAIT)
    await frame_with(communicator, 'id="presence-toggle"')

    await database_sync_to_async(session_start)(channel=support, visitor_name="Vera", question="Hello?")

    pushed = await frame_with(communicator, 'id="incoming-badge"')
    assert 'id="present-agents"' not in pushed, "nobody's presence changed"
    await communicator.disconnect()


async def test_a_push_waits_for_the_commit_of_what_it_reports(support, alice):
    """While the visitor's message is still inside an open transaction, the panel gets nothing; once it
    commits, the message arrives. A push sent before the commit would show a line that may be rolled back."""
    import asyncio
    import threading

    from asgiref.sync import sync_to_async
    from django.db import connection, transaction

    from chat.services.messages import message_post_by_visitor

    session = await database_sync_to_async(active_chat)(support, alice)
    communicator = await socket(f"/ws/chats/{session.pk}/", alice)
    await communicator.connect(timeout=FRAME_WAIT)
    await frame_with(communicator, f'id="transcript-{session.pk}"')
    posted, commit = threading.Event(), threading.Event()

    def post_inside_a_transaction_held_open():
        try:
            with transaction.atomic():
                message_post_by_visitor(session=session, body="Held back")
                posted.set()
                commit.wait(FRAME_WAIT)
        finally:
            connection.close()

    # Its own thread (and database connection); its push still goes through this test's event loop.
    writer = asyncio.ensure_future(sync_to_async(post_inside_a_transaction_held_open, thread_sensitive=False)())
    assert await asyncio.to_thread(posted.wait, FRAME_WAIT)
    assert await communicator.receive_nothing(timeout=0.5)

    commit.set()
    await writer
    assert "Held back" in await frame_with(communicator, "Held back")
    await communicator.disconnect()


async def test_an_open_workspace_follows_rights_given_in_the_admin(support, alice):
    """A workspace reads the agent's channel rights when it connects; a membership added later (the admin)
    shows that channel's waiting chats at once, not at the next reload."""
    from tests.factories import ChannelFactory, ChannelMemberFactory

    sales = await database_sync_to_async(ChannelFactory)(slug="sales", name="Sales")
    await database_sync_to_async(ChatSessionFactory)(channel=sales, visitor_name="Wanda")
    communicator = await socket("/ws/workspace/", alice)
    await communicator.connect(timeout=FRAME_WAIT)
    assert "Wanda" not in await frame_with(communicator, 'id="incoming-list"')

    await database_sync_to_async(ChannelMemberFactory)(channel=sales, user=alice)

    assert "Wanda" in await frame_with(communicator, 'id="incoming-list"')
    await communicator.disconnect()


async def test_a_message_reaches_its_chat_and_not_the_dashboards(support, alice, bob):
    """A new line concerns the chat's own sockets and its owner's sessions list; a colleague's Dashboard,
    in the team group for chat starts and ends, hears nothing of it."""
    session = await database_sync_to_async(active_chat)(support, alice)
    colleague = await socket("/ws/workspace/", bob)
    await colleague.connect(timeout=FRAME_WAIT)
    await frame_with(colleague, 'id="presence-toggle"')

    await database_sync_to_async(message_post_by_agent)(session_id=session.pk, agent=alice, body="On its way")

    assert await colleague.receive_nothing(timeout=0.5)
    await colleague.disconnect()


async def test_closing_a_chat_leaves_no_count_of_the_lines_read_while_it_was_open(support, alice):
    """The panel marks the lines it shows read without re-sending the list for each; when the chat closes
    (another opens), its entry comes again, without the count the page hid meanwhile."""
    from chat.services.messages import message_post_by_visitor

    session = await database_sync_to_async(active_chat)(support, alice)
    workspace = await socket("/ws/workspace/", alice)
    await workspace.connect(timeout=FRAME_WAIT)
    await frame_with(workspace, 'id="sessions-list"')
    panel = await socket(f"/ws/chats/{session.pk}/", alice)
    await panel.connect(timeout=FRAME_WAIT)
    await frame_with(panel, f'id="transcript-{session.pk}"')
    await database_sync_to_async(message_post_by_visitor)(session=session, body="Still there?")
    await frame_with(panel, "Still there?")
    count = await frame_with(workspace, f'id="session-unread-{session.pk}"')  # the new line's, counted or not
    assert 'id="session-entry-' not in count, "a new line sends its count, not the whole entry"

    await panel.disconnect()

    entry = await frame_with(workspace, f'id="session-entry-{session.pk}"')
    assert 'class="unread"' not in entry
    await workspace.disconnect()


async def test_a_visitor_line_sends_the_owner_its_new_count_and_an_older_count_never_overwrites_a_newer(support, alice):
    """The count comes with the line's event, read once when it is posted; counts from two processes may
    arrive out of order, and the page keeps the newest."""
    from channels.layers import get_channel_layer

    from chat.services.messages import message_post_by_visitor

    session = await database_sync_to_async(active_chat)(support, alice)
    workspace = await socket("/ws/workspace/", alice)
    await workspace.connect(timeout=FRAME_WAIT)
    await frame_with(workspace, 'id="sessions-list"')

    for body in ("Hello?", "Anyone there?"):
        await database_sync_to_async(message_post_by_visitor)(session=session, body=body)
    first = await frame_with(workspace, f'id="session-unread-{session.pk}"')
    second = await frame_with(workspace, f'id="session-unread-{session.pk}"')
    assert ">1<" in first and ">2<" in second

    newest = await database_sync_to_async(lambda: session.messages.order_by("-id").first().pk)()
    stale = {"type": "agent.changed", "parts": ["unread_count"], "session_id": session.pk, "unread": 1,
             "line_id": newest - 1, "event_id": "stale"}
    await get_channel_layer().group_send(f"agent.{alice.pk}", stale)
    assert await workspace.receive_nothing(timeout=0.5)
    await workspace.disconnect()


async def test_a_visitor_line_shown_in_an_open_chat_panel_is_marked_read_soon_after(support, alice, monkeypatch):
    """The panel writes its read mark a little later (an answer moves it anyway), not never: a workspace
    opened meanwhile, or after a crash, counts no line the agent has seen."""
    from chat.models import ReadMark
    from chat.services.messages import message_post_by_visitor

    monkeypatch.setattr("live.consumers.panel.READ_MARK_SECONDS", 0.2)
    session = await database_sync_to_async(active_chat)(support, alice)
    panel = await socket(f"/ws/chats/{session.pk}/", alice)
    await panel.connect(timeout=FRAME_WAIT)
    await frame_with(panel, f'id="transcript-{session.pk}"')

    line = await database_sync_to_async(message_post_by_visitor)(session=session, body="Seen it?")
    await frame_with(panel, "Seen it?")
    await asyncio.sleep(0.6)

    mark = await database_sync_to_async(ReadMark.objects.get)(session=session, agent=alice)
    assert mark.last_read_message_id == line.pk
    await panel.disconnect()


# --- What a (re)connecting socket is sent ----------------------------------------------------------------


class TopLevelElements(HTMLParser):
    """The outermost elements of a pushed frame, as (tag, attributes): the htmx ws extension swaps each by
    its id (or its hx-swap-oob target) and silently drops one that has neither."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.found = []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.found.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth -= 1


def unswappable(frame):
    parser = TopLevelElements()
    parser.feed(frame)
    return [(tag, attrs) for tag, attrs in parser.found if not (attrs.get("id") or attrs.get("hx-swap-oob"))]


async def test_a_line_written_while_a_panel_was_closed_is_on_screen_once_it_connects(support, alice):
    """The connect's full state is how a page that lost its socket catches up: the transcript must be in
    it in a form the page swaps in, or the lines written meanwhile never show."""
    session = await database_sync_to_async(active_chat)(support, alice, visitor_name="Vera")
    await database_sync_to_async(message_post_by_agent)(session_id=session.pk, agent=alice, body="Written while away")

    communicator = await socket(f"/ws/chats/{session.pk}/", alice)
    await communicator.connect(timeout=FRAME_WAIT)
    state = await frame_with(communicator, "Written while away")
    assert unswappable(state) == []
    await communicator.disconnect()


async def test_every_element_of_the_widgets_full_state_is_one_the_page_can_swap(support, alice):
    session = await database_sync_to_async(active_chat)(support, alice, visitor_name="Vera")
    await database_sync_to_async(message_post_by_agent)(session_id=session.pk, agent=alice, body="Written while away")

    communicator = await socket(f"/ws/widget/{session.token}/")
    await communicator.connect(timeout=FRAME_WAIT)
    state = await frame_with(communicator, "Written while away")
    assert unswappable(state) == []
    await communicator.disconnect()


async def test_every_element_of_the_workspaces_full_state_is_one_the_page_can_swap(support, alice):
    await database_sync_to_async(session_start)(channel=support, visitor_name="Vera", question="Hello?")

    communicator = await socket("/ws/workspace/", alice)
    await communicator.connect(timeout=FRAME_WAIT)
    state = await frame_with(communicator, 'id="incoming-badge"')
    assert unswappable(state) == []
    await communicator.disconnect()
