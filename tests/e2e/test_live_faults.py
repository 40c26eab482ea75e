"""No deaf sockets (issue 10): every screen keeps getting its pushes through a Redis restart and Daphne crashes.

The test runs a Redis and two Daphnes of its own on it, whatever the suite runs on: a visitor's widget on
Daphne A, the agent's workspace and chat panel on Daphne B, so every push crosses Redis. After each fault,
every kind of socket must get the next push, and both transcripts must show every line exactly once, in
order:

1. Redis is killed, a line is sent while it is down, and Redis starts again, empty. Daphne B is paused
   meanwhile, so that it hears of the outage only once Redis is back: channels-redis then fails the one
   consumer that holds the receive lock, and the other reads on from the new Redis, open but in no group:
   the deaf socket that B's watchdog (live/watchdog.py) must close. Left running, B's consumers would each
   fail in turn while Redis is down and reconnect by themselves, and only some runs would see a deaf one.
2. Daphne A is killed with -9 and started again on its port.
3. Daphne B likewise.

Reconnects take seconds: the ws extension's backoff grows while a server is down, and the watchdog checks
Redis every 2 s. RECONNECT_MS bounds them.
"""


import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.flows import (
    agent_says,
    answer_incoming,
    chat_panel,
    incoming_row,
    open_chats_tab,
    open_dashboard,
    panel_transcript,
    start_visitor_chat,
    visitor_says,
    visitor_sends,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The backoff of a page whose server was down (full jitter, doubling per failed try) plus a Daphne's start.
RECONNECT_MS = 30_000
QUESTION = "Where is my order?"


class Conversation:
    """One visitor's chat as both sides see it: every line sent so far, in order. Each transcript must
    show each of them exactly once: a lost push would leave one out, a resync appended twice would
    double it."""

    def __init__(self, widget: Page, agent: Page):
        self.widget, self.agent = widget, agent
        self.lines = [QUESTION]

    def visitor_says(self, text: str) -> None:
        visitor_says(self.widget, text)
        self.lines.append(text)
        expect(panel_transcript(self.agent)).to_contain_text(text)

    def visitor_sends_unseen(self, text: str) -> None:
        """A line the server stores while no push can go out: only a resync can show it."""
        visitor_sends(self.widget, text)
        self.lines.append(text)

    def agent_says(self, text: str) -> None:
        agent_says(self.agent, text)
        self.lines.append(text)
        expect(widget_transcript(self.widget)).to_contain_text(text)

    def expect_every_line_once(self, timeout: float | None = None) -> None:
        expect(widget_transcript(self.widget).locator(".body")).to_have_text(self.lines, timeout=timeout)
        expect(panel_transcript(self.agent).locator(".body")).to_have_text(self.lines, timeout=timeout)


def forget_live_marks(page: Page) -> None:
    """Clear conftest's data-e2e-live marks, so that a mark seen next means a push since now."""
    page.evaluate("document.querySelectorAll('[data-e2e-live]').forEach(e => e.removeAttribute('data-e2e-live'))")


def expect_reconnected(*socket_elements: Locator) -> None:
    """Each element's socket is open again: a (re)connect starts by sending the page's current state."""
    for element in socket_elements:
        expect(element).to_have_attribute("data-e2e-live", "", timeout=RECONNECT_MS)


def restart_daphne(daphne, *pages: Page) -> None:
    """kill -9 and start again on the same port. The pages' marks go once the process is gone, so that
    expect_reconnected sees a push of the new one."""
    daphne.kill()
    for page in pages:
        forget_live_marks(page)
    daphne.start()


def expect_every_socket_gets_the_next_push(chat: Conversation, after: str, newcomer: Page, name: str) -> None:
    """The widget gets the agent's reply, the chat panel the visitor's line, the workspace a new chat:
    the one a second visitor, on a page of their own, starts now."""
    chat.agent_says(f"Reply after {after}.")
    chat.visitor_says(f"Line after {after}.")
    start_visitor_chat(newcomer, name, "Hello?")
    open_dashboard(chat.agent)
    expect(incoming_row(chat.agent, name)).to_be_visible()
    open_chats_tab(chat.agent)
    chat.expect_every_line_once()


def test_every_socket_gets_the_next_push_after_redis_restarts_and_each_daphne_is_killed(
    demo_team, redis_server, start_daphnes, new_page, login
):
    daphne_a, daphne_b = start_daphnes(
        "A", "B", REDIS_URL=redis_server.url, CHANNEL_LAYER_PREFIX=f"faults-{redis_server.port}"
    )
    alice = login(new_page(base_url=daphne_b.url), "alice")
    vera = start_visitor_chat(new_page(base_url=daphne_a.url), "Vera", QUESTION)
    answer_incoming(alice, "Vera")
    chat = Conversation(vera, alice)
    chat.agent_says("Let me look that up.")
    chat.visitor_says("Order 1234.")
    chat.expect_every_line_once()

    with daphne_b.paused():
        redis_server.kill()
        chat.visitor_sends_unseen("Sent while Redis was down.")
        redis_server.start()
    chat.expect_every_line_once(timeout=RECONNECT_MS)
    expect_every_socket_gets_the_next_push(chat, "the Redis restart", new_page(base_url=daphne_a.url), "Walter")

    restart_daphne(daphne_a, vera)
    expect_reconnected(vera.locator("#widget-chat"))
    expect_every_socket_gets_the_next_push(chat, "Daphne A was killed", new_page(base_url=daphne_a.url), "Xavier")

    restart_daphne(daphne_b, alice)
    expect_reconnected(alice.locator("main.workspace"), chat_panel(alice))
    expect_every_socket_gets_the_next_push(chat, "Daphne B was killed", new_page(base_url=daphne_a.url), "Yara")
