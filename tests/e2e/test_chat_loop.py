"""The live chat loop in real browsers: a visitor in the widget, agents in the workspace, each in their
own browser context, and everything they see arriving live over the websockets."""

import time

import pytest
from playwright.sync_api import expect

from helpdesk.models import AgentProfile
from tests.e2e.flows import (
    WIDGET_URL,
    agent_says,
    answer_incoming,
    answer_next_in_queue,
    chat_panel,
    end_chat_as_agent,
    expect_chat_open,
    incoming_badge,
    incoming_row,
    message_box,
    open_chats_tab,
    open_dashboard,
    panel_transcript,
    present_agents,
    session_entry,
    set_presence,
    start_visitor_chat,
    visitor_says,
    widget_status,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_chat_shows_on_the_dashboard_live_and_the_widget_shows_the_queue_position(
    demo_team, new_page, login
):
    alice = login(new_page(), "alice")
    expect(incoming_badge(alice)).to_have_text("0")

    first = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    expect(incoming_badge(alice)).to_have_text("1")
    expect(incoming_row(alice, "Vera")).to_be_visible()
    expect(widget_status(first)).to_contain_text("number 1 in the queue")

    second = start_visitor_chat(new_page(), "Walter", "Can I change my address?")
    expect(widget_status(second)).to_contain_text("number 2 in the queue")
    expect(incoming_badge(alice)).to_have_text("2")
    open_chats_tab(alice)
    expect(alice.locator("#queue-count")).to_have_text("2")

    # "Get next in queue" takes the chat that has waited longest.
    answer_next_in_queue(alice, "Vera")
    expect(widget_status(first)).to_contain_text("You are chatting with Alice")
    expect(widget_status(second)).to_contain_text("number 1 in the queue")
    expect(alice.locator("#queue-count")).to_have_text("1")
    expect(incoming_badge(alice)).to_have_text("1")


def test_visitor_and_agent_chat_live_in_both_directions(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")
    expect(panel_transcript(alice)).to_contain_text("Where is my order?")

    visitor_says(visitor, "Order 1234, placed on Monday.")
    expect(panel_transcript(alice)).to_contain_text("Order 1234, placed on Monday.")

    agent_says(alice, "It left our warehouse today.")
    expect(widget_transcript(visitor)).to_contain_text("It left our warehouse today.")


def test_enter_sends_and_shift_enter_starts_a_new_line(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Hello")
    answer_next_in_queue(alice, "Vera")

    box = message_box(alice)
    box.click()
    box.type("First line")
    box.press("Shift+Enter")
    box.type("second line")
    expect(box).to_have_value("First line\nsecond line")  # Shift+Enter did not send
    box.press("Enter")
    expect(box).to_have_value("")
    agent_line = widget_transcript(visitor).locator(".message.agent").last
    expect(agent_line.locator(".body")).to_have_text("First line\nsecond line", use_inner_text=True)

    visitor_box = visitor.get_by_label("Message", exact=True)
    visitor_box.click()
    visitor_box.type("Thanks")
    visitor_box.press("Enter")
    expect(panel_transcript(alice)).to_contain_text("Thanks")


def test_what_the_agent_types_while_a_message_is_on_its_way_stays_in_the_box(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Hello")
    answer_next_in_queue(alice, "Vera")

    box = message_box(alice)

    def type_on_while_it_travels(route):  # as on a slow connection: the answer comes after more typing
        box.type("Found it")
        route.continue_()

    alice.route("**/messages/", type_on_while_it_travels)
    box.click()
    box.type("One moment")
    box.press("Enter")

    expect(widget_transcript(visitor)).to_contain_text("One moment")
    expect(panel_transcript(alice)).to_contain_text("One moment")
    expect(box).to_have_value("Found it")


def test_markup_typed_by_the_visitor_shows_as_text(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Mallory", "<b>x</b>")
    answer_next_in_queue(alice, "Mallory")
    visitor_says(visitor, '<img src="nowhere.png" onerror="window.pwned = true">')

    transcript = panel_transcript(alice)
    expect(transcript).to_contain_text('<img src="nowhere.png" onerror="window.pwned = true">')
    expect(transcript.get_by_text("<b>x</b>", exact=True)).to_be_visible()
    expect(transcript.locator("b, img")).to_have_count(0)
    assert alice.evaluate("window.pwned") is None
    expect(widget_transcript(visitor).get_by_text("<b>x</b>", exact=True)).to_be_visible()
    assert visitor.evaluate("window.pwned") is None


def test_double_clicking_an_incoming_chat_answers_it(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    start_visitor_chat(new_page(), "Vera", "First in line")
    visitor = start_visitor_chat(new_page(), "Walter", "Second in line")
    expect(incoming_row(alice, "Walter")).to_be_visible()

    answer_incoming(alice, "Walter")  # not the oldest: the one double-clicked
    expect(widget_status(visitor)).to_contain_text("You are chatting with Alice")
    expect(incoming_badge(alice)).to_have_text("1")
    open_dashboard(alice)
    expect(incoming_row(alice, "Walter")).to_have_count(0)
    expect(incoming_row(alice, "Vera")).to_be_visible()


def test_pressing_enter_on_an_incoming_chat_answers_it(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Keyboard only, please")
    row = incoming_row(alice, "Vera")
    expect(row).to_be_visible()

    row.focus()
    row.press("Enter")

    expect_chat_open(alice, "Vera")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Alice")
    expect(incoming_badge(alice)).to_have_text("0")


def test_the_focused_incoming_chat_keeps_the_focus_when_another_visitor_arrives(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    start_visitor_chat(new_page(), "Vera", "Keyboard only, please")
    row = incoming_row(alice, "Vera")
    expect(row).to_be_visible()
    row.focus()

    start_visitor_chat(new_page(), "Walter", "Me too")
    expect(incoming_row(alice, "Walter")).to_be_visible()

    expect(incoming_row(alice, "Vera")).to_be_focused()
    alice.keyboard.press("Enter")
    expect_chat_open(alice, "Vera")


def held_requests(page, url_pattern):
    """Requests to url_pattern wait (as on a slow line) until the test lets them go: release()."""
    held = []
    page.route(url_pattern, lambda route: held.append(route))

    def release():
        # The route handler runs when Playwright delivers the intercepted request, which can be
        # after the click returned: wait for the first, then long enough for a duplicate to show.
        deadline = time.monotonic() + 5
        while not held and time.monotonic() < deadline:
            page.wait_for_timeout(20)
        page.wait_for_timeout(300)
        for route in held:
            route.continue_()
        page.unroute(url_pattern)
        return len(held)

    return release


def test_enter_pressed_twice_while_the_message_travels_sends_it_once(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Hello")
    answer_next_in_queue(alice, "Vera")
    release = held_requests(alice, "**/messages/")

    message_box(alice).fill("One moment please")
    message_box(alice).press("Enter")
    message_box(alice).press("Enter")
    assert release() == 1

    expect(widget_transcript(visitor)).to_contain_text("One moment please")
    expect(message_box(alice)).to_have_value("")
    expect(panel_transcript(alice).get_by_text("One moment please")).to_have_count(1)
    expect(widget_transcript(visitor).get_by_text("One moment please")).to_have_count(1)


def test_a_double_click_on_get_next_in_queue_takes_one_chat(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    start_visitor_chat(new_page(), "Vera", "First in line")
    start_visitor_chat(new_page(), "Walter", "Second in line")
    expect(incoming_badge(alice)).to_have_text("2")
    open_chats_tab(alice)
    release = held_requests(alice, "**/chats/next/")

    alice.get_by_role("button", name="Get next in queue").dblclick()
    assert release() == 1

    expect_chat_open(alice, "Vera")
    expect(incoming_badge(alice)).to_have_text("1")
    expect(session_entry(alice, "Walter")).to_have_count(0)


def test_a_chat_shows_its_unread_messages_until_the_agent_opens_it(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    vera = start_visitor_chat(new_page(), "Vera", "First question")
    start_visitor_chat(new_page(), "Walter", "Second question")
    answer_next_in_queue(alice, "Vera")
    answer_next_in_queue(alice, "Walter")  # Walter's chat is now the one in the panel
    expect(session_entry(alice, "Vera").locator(".unread")).to_have_count(0)

    visitor_says(vera, "Are you still there?")
    visitor_says(vera, "Hello?")

    expect(session_entry(alice, "Vera").locator(".unread")).to_contain_text("2")
    expect(session_entry(alice, "Walter").locator(".unread")).to_have_count(0)
    session_entry(alice, "Vera").get_by_role("link").click()
    expect_chat_open(alice, "Vera")
    expect(session_entry(alice, "Vera").locator(".unread")).to_have_count(0)


def test_a_chat_opening_live_leaves_the_text_box_the_agent_already_has(demo_team, new_page, login):
    """The chat panel's socket sends the whole chat when it connects, just after the page got the same
    panel over HTTP: what is already on screen stays, so a click or a caret in it is never lost."""
    alice = login(new_page(), "alice")
    start_visitor_chat(new_page(), "Vera", "Where is my order?")
    open_chats_tab(alice)
    alice.get_by_role("button", name="Get next in queue").click()
    box = message_box(alice)
    expect(box).to_be_visible()
    first_box = box.element_handle()

    expect(chat_panel(alice)).to_have_attribute("data-e2e-live", "")  # the connect-time update arrived

    assert first_box.evaluate("element => element.isConnected")


def test_the_chat_menu_stays_open_while_new_visitors_arrive(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    start_visitor_chat(new_page(), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")
    header = alice.locator("header.panel-header").element_handle()

    chat_panel(alice).get_by_role("button", name="Menu", exact=True).click()
    start_visitor_chat(new_page(), "Walter", "Me too")
    expect(incoming_badge(alice)).to_have_text("1")

    # Nothing of this chat changed, so its header (with the open menu) was not swapped under the pointer.
    assert header.evaluate("element => element.isConnected")
    expect(chat_panel(alice).get_by_role("menuitem", name="End chat", exact=True)).to_be_visible()


def test_ending_the_chat_tells_the_visitor_and_files_it_under_recent_chat_sessions(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")
    agent_says(alice, "It left our warehouse today.")

    end_chat_as_agent(alice)
    expect(widget_status(visitor)).to_contain_text("The chat has ended")
    expect(visitor.get_by_role("button", name="Start a new chat")).to_be_visible()
    expect(message_box(alice)).to_have_count(0)

    expect(alice.locator("#recent-sessions").get_by_role("link", name="Vera")).to_be_visible()

    # A second tab starts with an empty chat panel, so the transcript can only come from the link.
    later = alice.context.new_page()
    later.goto("/")
    open_chats_tab(later)
    expect(chat_panel(later).get_by_role("heading", name="Vera")).to_have_count(0)
    later.locator("#recent-sessions").get_by_role("link", name="Vera").click()
    expect_chat_open(later, "Vera")
    expect(panel_transcript(later)).to_contain_text("It left our warehouse today.")
    expect(panel_transcript(later)).to_contain_text("Alice Andersson ended the chat.")
    expect(message_box(later)).to_have_count(0)


def test_the_agent_sees_live_when_the_visitor_ends_the_chat(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Never mind")
    answer_next_in_queue(alice, "Vera")

    visitor.once("dialog", lambda dialog: dialog.accept())
    visitor.get_by_role("button", name="End chat").click()
    expect(widget_status(visitor)).to_contain_text("The chat has ended")

    expect(panel_transcript(alice)).to_contain_text("Vera ended the chat.")
    expect(chat_panel(alice).get_by_text("This chat has ended.")).to_be_visible()
    expect(message_box(alice)).to_have_count(0)
    expect(alice.locator("#recent-sessions").get_by_role("link", name="Vera")).to_be_visible()


def test_reloading_the_widget_resumes_the_same_chat(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    answer_next_in_queue(alice, "Vera")
    agent_says(alice, "Let me look it up.")
    expect(widget_transcript(visitor)).to_contain_text("Let me look it up.")

    visitor.reload()
    expect(widget_transcript(visitor)).to_contain_text("Where is my order?")
    expect(widget_transcript(visitor)).to_contain_text("Let me look it up.")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Alice")
    expect(visitor.get_by_role("button", name="Start chat")).to_have_count(0)

    # Still the same chat: what the visitor writes now reaches Alice's open chat.
    visitor_says(visitor, "Still there?")
    expect(panel_transcript(alice)).to_contain_text("Still there?")


def test_when_every_agent_is_away_the_widget_offers_the_offline_form_and_agents_get_the_message(
    demo_team, new_page, login
):
    AgentProfile.objects.exclude(user=demo_team.alice).update(status=AgentProfile.Status.AWAY)
    alice = login(new_page(), "alice")
    set_presence(alice, "Away")

    visitor = new_page()
    visitor.goto(WIDGET_URL)
    expect(visitor.get_by_role("button", name="Leave a message")).to_be_visible()
    expect(visitor.get_by_role("button", name="Start chat")).to_have_count(0)
    visitor.get_by_label("Name", exact=True).fill("Olga")
    visitor.get_by_label("Email", exact=True).fill("olga@example.org")
    visitor.get_by_label("Message", exact=True).fill("Please call me back about invoice 77.")
    visitor.get_by_role("button", name="Leave a message").click()
    expect(visitor.get_by_role("status")).to_contain_text("Thank you!")

    expect(alice.locator("#offline-requests")).to_contain_text("Please call me back about invoice 77.")
    expect(alice.locator("#offline-requests")).to_contain_text("Olga")


def test_presence_is_kept_across_a_reload_and_colleagues_see_it_change_live(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    bob = login(new_page(), "bob")
    expect(present_agents(bob)).to_contain_text("Alice Andersson")

    set_presence(alice, "Away")
    expect(present_agents(bob)).not_to_contain_text("Alice Andersson")

    alice.reload()
    expect(alice.get_by_role("button", name="Away", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(alice.get_by_role("button", name="Present", exact=True)).to_have_attribute("aria-pressed", "false")

    set_presence(alice, "Present")
    expect(present_agents(bob)).to_contain_text("Alice Andersson")


KEEP_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.openedSockets = [];
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    window.openedSockets.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""


def wait_until(page, expression, seconds=10):
    """Page.wait_for_function's polling compiles its expression with eval inside the page, which the pages'
    CSP forbids; Page.evaluate is not subject to it."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(100)


def test_a_workspace_socket_closed_with_code_1000_reconnects_and_stays_live(demo_team, new_page, login):
    alice_page = new_page()
    alice_page.add_init_script(KEEP_SOCKETS)
    alice = login(alice_page, "alice")
    workspace_sockets = "window.openedSockets.filter(s => s.url.endsWith('/ws/workspace/'))"
    wait_until(alice, f"{workspace_sockets}.some(s => s.readyState === WebSocket.OPEN)")

    alice.evaluate(f"{workspace_sockets}.forEach(s => s.close(1000))")
    start_visitor_chat(new_page(), "Vera", "Anyone there?")

    # A new socket opens by itself, and the chat that started meanwhile shows up without a reload.
    wait_until(alice, f"{workspace_sockets}.filter(s => s.readyState === WebSocket.OPEN).length === 1")
    expect(incoming_badge(alice)).to_have_text("1")
    expect(incoming_row(alice, "Vera")).to_be_visible()

    # And it keeps receiving what happens next.
    start_visitor_chat(new_page(), "Walter", "Me too")
    expect(incoming_badge(alice)).to_have_text("2")
