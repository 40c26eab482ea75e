"""By keyboard alone, in real browsers: the visitor's chat and the agent's (take, reply, transfer, accept,
end), asserting after every action that swaps or hides what had the focus where the focus lands, never
on the page's body. Setup a person would not do by keyboard (logging in, the visitor's side of the
agent's story) goes through the usual flows; every step the story is about is a key.
"""

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.e2e.flows import (
    chat_panel,
    expect_chat_open,
    expect_widget_live,
    incoming_row,
    message_box,
    panel_transcript,
    start_visitor_chat,
    transfer_bar,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The accessible name of the focused element, near enough for finding a control by Tab: its label, its
# aria-label, or its text.
FOCUSED_NAME = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return "";
  const label = element.labels && element.labels.length ? element.labels[0].textContent : "";
  return (element.getAttribute("aria-label") || label || element.textContent || "").replace(/\\s+/g, " ").trim();
}"""
TAB_LIMIT = 40


def tab_to(page: Page, name: str, frame: Frame | None = None, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the focused control's name starts with `name`, as a keyboard user would."""
    where = frame or page
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        focused = where.evaluate(FOCUSED_NAME)
        if focused.startswith(name):
            return
        seen.append(focused)
    raise AssertionError(f"{TAB_LIMIT} presses of {key} never reached {name!r}; they reached {seen}")


def expect_focus_on_menu_button(page: Page) -> None:
    expect(chat_panel(page).get_by_role("button", name="Menu", exact=True)).to_be_focused()


def test_a_visitor_chats_rates_and_closes_the_widget_by_keyboard(alice_at_work, new_page):
    host = new_page()
    host.goto("/demo/")
    launcher = host.get_by_role("button", name="Chat", exact=True)
    tab_to(host, "Chat")
    expect(launcher).to_be_focused()

    # Enter opens the chat window with the focus in it, on the pre-chat form's first field.
    host.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    widget = host.frame_locator("#helpdesk-chat-frame")
    frame = host.locator("#helpdesk-chat-frame").element_handle().content_frame()
    expect(widget.get_by_label("Name", exact=True)).to_be_focused()
    host.keyboard.type("Vera")
    host.keyboard.press("Tab")
    host.keyboard.type("vera@example.org")
    host.keyboard.press("Tab")
    host.keyboard.type("Where is my order?")
    tab_to(host, "Start chat", frame)
    host.keyboard.press("Enter")

    # Start chat: on the Message box; Enter sends.
    box = widget.get_by_label("Message", exact=True)
    expect(box).to_be_focused()
    expect_widget_live(widget)
    host.keyboard.type("Hello?")
    host.keyboard.press("Enter")
    expect(widget_transcript(widget)).to_contain_text("Hello?")
    expect(box).to_have_value("")
    expect(box).to_be_focused()

    # Escape closes the window onto the chat button; Enter opens it again onto the Message box.
    host.keyboard.press("Escape")
    expect(host.locator("#helpdesk-chat-frame")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    host.keyboard.press("Enter")
    expect(box).to_be_focused()

    # The message list is in the Tab order, so it scrolls by keyboard.
    tab_to(host, "Messages", frame, backwards=True)
    expect(widget.get_by_role("log", name="Messages")).to_be_focused()

    # End chat (confirmed): on the post-chat form's rating; the rating sent: on its thanks.
    host.once("dialog", lambda dialog: dialog.accept())
    tab_to(host, "End chat", frame)
    host.keyboard.press("Enter")
    first_star = widget.get_by_role("radio", name="1 star", exact=True)
    expect(first_star).to_be_focused()
    expect_widget_live(widget)  # the ended chat's socket has sent its state: the stars stay as chosen
    host.keyboard.press("ArrowRight")
    host.keyboard.press("ArrowRight")
    host.keyboard.press("ArrowRight")
    host.keyboard.press("ArrowRight")
    expect(widget.get_by_role("radio", name="5 stars", exact=True)).to_be_checked()
    tab_to(host, "Send feedback", frame)
    host.keyboard.press("Enter")
    expect(widget.get_by_role("status").filter(has_text="Thank you for your feedback!")).to_be_focused()

    # The window's own close button: back on the chat button.
    tab_to(host, "Close the chat window", frame, backwards=True)
    host.keyboard.press("Enter")
    expect(host.locator("#helpdesk-chat-frame")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_an_agent_takes_replies_transfers_and_a_colleague_accepts_and_ends_by_keyboard(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    bob = login(new_page(), "bob")

    # Present / Away: the focus stays on the button pressed, in the toggle that replaced it.
    tab_to(alice, "Away")
    alice.keyboard.press("Enter")
    expect(alice.get_by_role("button", name="Away", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(alice.get_by_role("button", name="Away", exact=True)).to_be_focused()
    alice.keyboard.press("Shift+Tab")
    alice.keyboard.press("Enter")
    expect(alice.get_by_role("button", name="Present", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(alice.get_by_role("button", name="Present", exact=True)).to_be_focused()

    # The tabs: one Tab stop, the Arrow keys, Home and End choose.
    dashboard_tab = alice.get_by_role("tab", name="Dashboard")
    tab_to(alice, "Dashboard", backwards=True)
    alice.keyboard.press("ArrowRight")
    expect(alice.get_by_role("tab", name="Chats", exact=True)).to_have_attribute("aria-selected", "true")
    expect(alice.get_by_role("tab", name="Chats", exact=True)).to_be_focused()
    alice.keyboard.press("End")
    expect(alice.get_by_role("tab", name="Requests")).to_be_focused()
    alice.keyboard.press("Home")
    expect(dashboard_tab).to_be_focused()
    expect(dashboard_tab).to_have_attribute("aria-selected", "true")

    # Taking a chat: Enter on its Incoming chat row lands on the Message box; Enter sends.
    visitor = start_visitor_chat(new_page(), "Vera", "Where is my order?")
    expect(incoming_row(alice, "Vera")).to_be_visible()
    tab_to(alice, "Vera")
    expect(incoming_row(alice, "Vera")).to_be_focused()
    alice.keyboard.press("Enter")
    expect_chat_open(alice, "Vera")
    expect(message_box(alice)).to_be_focused()
    alice.keyboard.type("Hello Vera, let me look.")
    alice.keyboard.press("Enter")
    expect(panel_transcript(alice)).to_contain_text("Hello Vera, let me look.")
    expect(message_box(alice)).to_be_focused()

    # The Menu: Arrow keys, Home, End, Escape back to the button.
    tab_to(alice, "Menu", backwards=True)
    alice.keyboard.press("Enter")
    items = chat_panel(alice).get_by_role("menuitem")
    expect(items.first).to_be_focused()
    alice.keyboard.press("End")
    expect(items.last).to_be_focused()
    alice.keyboard.press("ArrowDown")
    expect(items.first).to_be_focused()
    alice.keyboard.press("Escape")
    expect(chat_panel(alice).get_by_role("menu")).to_be_hidden()
    expect_focus_on_menu_button(alice)

    # Transfer opens its form on "Transfer to"; its Cancel goes back to the Message box.
    alice.keyboard.press("ArrowDown")
    expect(chat_panel(alice).get_by_role("menuitem", name="Transfer", exact=True)).to_be_focused()
    alice.keyboard.press("Enter")
    transfer_to = chat_panel(alice).get_by_label("Transfer to", exact=True)
    expect(transfer_to).to_be_focused()
    tab_to(alice, "Cancel")
    alice.keyboard.press("Enter")
    expect(transfer_to).to_be_hidden()
    expect(message_box(alice)).to_be_focused()

    # Tab away from an open Menu closes it.
    tab_to(alice, "Menu", backwards=True)
    alice.keyboard.press("ArrowDown")
    alice.keyboard.press("Tab")
    expect(chat_panel(alice).get_by_role("menu")).to_be_hidden()

    # Transfer to bob, with a note: the form closes onto the Message box.
    tab_to(alice, "Menu", backwards=True)
    alice.keyboard.press("Enter")
    alice.keyboard.press("Enter")  # Transfer, the first item
    expect(transfer_to).to_be_focused()
    alice.keyboard.press("ArrowDown")
    expect(transfer_to).to_have_value(str(demo_team.bob.pk))
    tab_to(alice, "Note for your colleague")  # past the Away colleagues' Show calendar, once they have loaded
    alice.keyboard.type("She asks about order 1234.")
    tab_to(alice, "Transfer")
    alice.keyboard.press("Enter")
    expect(transfer_to).to_be_hidden()
    expect(transfer_bar(alice)).to_contain_text("Waiting for Bob de Boer to accept the transfer.")
    expect(message_box(alice)).to_be_focused()

    # bob: the offer opened by itself; Accept lands on his Message box, and alice, whose Message box went
    # with her listening mode, on the chat's Menu.
    expect_chat_open(bob, "Vera")
    tab_to(bob, "Accept transfer")
    bob.keyboard.press("Enter")
    expect(message_box(bob)).to_be_focused()
    expect(message_box(alice)).to_have_count(0)
    expect_focus_on_menu_button(alice)
    bob.keyboard.type("Hi Vera, I have your order here.")
    bob.keyboard.press("Enter")
    expect(widget_transcript(visitor)).to_contain_text("Hi Vera, I have your order here.")

    # bob ends the chat from the Menu (confirmed): on the Menu button of the ended chat.
    bob.once("dialog", lambda dialog: dialog.accept())
    tab_to(bob, "Menu", backwards=True)
    bob.keyboard.press("ArrowDown")
    for _ in range(len(chat_panel(bob).get_by_role("menuitem").all())):
        if chat_panel(bob).get_by_role("menuitem", name="End chat", exact=True).evaluate("e => e === document.activeElement"):
            break
        bob.keyboard.press("ArrowDown")
    bob.keyboard.press("Enter")
    expect(transfer_bar(bob)).to_contain_text("This chat has ended.")
    expect_focus_on_menu_button(bob)

    # alice closes her listening window: the empty panel, and the focus on "Get next in queue".
    alice.keyboard.press("Enter")
    expect(chat_panel(alice).get_by_role("menuitem", name="Close window", exact=True)).to_be_focused()
    alice.keyboard.press("Enter")
    expect(alice.get_by_role("button", name="Get next in queue")).to_be_focused()
