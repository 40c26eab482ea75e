"""What a visitor and an agent do in the browser, step by step, so each test reads as its story.

Every step goes through the page the way a person would (labels, button names, keys), and waits with
Playwright's `expect` for what a person would wait to see, never for a fixed time.
"""

import re

from playwright.sync_api import FrameLocator, Locator, Page, expect

WIDGET_URL = "/widget/support/"


def type_into(field: Locator, text: str) -> None:
    """Click the field and fill it, as a visitor does, and see the text arrive: in the host page's cross-site
    iframe, text typed while the frame did not really hold the page's focus went nowhere (the loader now
    hands the focus over again once the frame has loaded, static/widget/loader.js)."""
    field.click()
    field.fill(text)
    expect(field).to_have_value(text)


def fill_prechat_form(widget: Page | FrameLocator, name: str, question: str, email: str = "") -> None:
    """The widget's pre-chat form, in a page or in the host page's iframe."""
    type_into(widget.get_by_label("Name", exact=True), name)
    type_into(widget.get_by_label("Email", exact=True), email or f"{name.lower()}@example.org")
    type_into(widget.get_by_label("Question", exact=True), question)
    widget.get_by_role("button", name="Start chat").click()
    expect(widget.get_by_role("button", name="End chat")).to_be_visible()


def start_visitor_chat(page: Page, name: str, question: str) -> Page:
    page.goto(WIDGET_URL)
    fill_prechat_form(page, name, question)
    return page


def widget_status(widget: Page | FrameLocator) -> Locator:
    """The line above the widget's transcript: queue position, who the visitor chats with, or the end."""
    return widget.locator("#widget-status")


def widget_transcript(widget: Page | FrameLocator) -> Locator:
    return widget.locator("#widget-transcript")


def expect_widget_live(widget: Page | FrameLocator) -> None:
    """The chat's socket has pushed its connect-time state (conftest's data-e2e-live): typing or clicking
    while that state is swapped in can be lost, as in a chat panel that has just opened."""
    expect(widget.locator("#widget-chat")).to_have_attribute("data-e2e-live", "")


def visitor_sends(widget: Page | FrameLocator, text: str) -> None:
    """Type a line and send it; the box empties once the server has it. The line itself comes back over
    the widget's websocket, like everyone else's."""
    expect_widget_live(widget)
    box = widget.get_by_label("Message", exact=True)
    type_into(box, text)
    widget.get_by_role("button", name="Send", exact=True).click()
    expect(box).to_have_value("")


def visitor_says(widget: Page | FrameLocator, text: str) -> None:
    visitor_sends(widget, text)
    expect(widget_transcript(widget)).to_contain_text(text)


def open_dashboard(page: Page) -> None:
    page.get_by_role("tab", name="Dashboard").click()


def open_chats_tab(page: Page) -> None:
    page.get_by_role("tab", name="Chats", exact=True).click()


def incoming_badge(page: Page) -> Locator:
    """The number on the Dashboard tab: incoming chats nobody has answered yet."""
    return page.locator("#incoming-badge")


def incoming_row(page: Page, visitor_name: str) -> Locator:
    return page.locator("#incoming-list tr", has_text=visitor_name)


def ongoing_row(page: Page, visitor_name: str) -> Locator:
    return page.locator("#ongoing-sessions tr", has_text=visitor_name)


def session_entry(page: Page, visitor_name: str) -> Locator:
    """The chat's line in the agent's sessions list (Chats tab)."""
    return page.locator("#sessions-list li", has_text=visitor_name)


def chat_panel(page: Page) -> Locator:
    return page.locator("#chat-panel")


def panel_transcript(page: Page) -> Locator:
    return page.locator("#chat-panel .transcript")


def expect_chat_open(page: Page, visitor_name: str) -> None:
    """The chat panel shows this visitor's chat, and its own live connection has sent its first update.

    That update re-renders the panel the server has just sent; a click landing during the swap would be lost.
    """
    expect(chat_panel(page).get_by_role("heading", name=visitor_name)).to_be_visible()
    expect(chat_panel(page)).to_have_attribute("data-e2e-live", "")


def answer_next_in_queue(page: Page, visitor_name: str) -> None:
    open_chats_tab(page)
    page.get_by_role("button", name="Get next in queue").click()
    expect_chat_open(page, visitor_name)
    expect(message_box(page)).to_be_visible()


def answer_incoming(page: Page, visitor_name: str) -> None:
    """Double-click the visitor's row in the Dashboard's Incoming chat list."""
    open_dashboard(page)
    incoming_row(page, visitor_name).dblclick()
    expect_chat_open(page, visitor_name)
    expect(message_box(page)).to_be_visible()


def message_box(page: Page) -> Locator:
    return chat_panel(page).get_by_label("Message", exact=True)


def agent_says(page: Page, text: str) -> None:
    message_box(page).fill(text)
    chat_panel(page).get_by_role("button", name="Send", exact=True).click()
    expect(message_box(page)).to_have_value("")
    expect(panel_transcript(page)).to_contain_text(text)


def choose_from_menu(page: Page, item: str) -> None:
    """Open the chat panel's Menu and click one of its items (menuitems: the WAI-ARIA menu button pattern)."""
    chat_panel(page).get_by_role("button", name="Menu", exact=True).click()
    chat_panel(page).get_by_role("menuitem", name=item, exact=True).click()


def end_chat_as_agent(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    choose_from_menu(page, "End chat")


def set_presence(page: Page, status: str) -> None:
    """Click "Present" or "Away" at the top right and wait until the button shows it is on."""
    button = page.get_by_role("button", name=status, exact=True)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def present_agents(page: Page) -> Locator:
    return page.locator("#present-agents")


def transfer_form(page: Page) -> Locator:
    return chat_panel(page).locator("form.transfer-form")


def open_transfer_form(page: Page) -> Locator:
    """Menu -> Transfer: the form with "Transfer to" and the note."""
    choose_from_menu(page, "Transfer")
    expect(transfer_form(page)).to_be_visible()
    return transfer_form(page)


def send_transfer(page: Page, colleague: str, note: str = "") -> None:
    """In the open transfer form: pick the colleague in "Transfer to", add the note, click Transfer."""
    form = transfer_form(page)
    form.get_by_label("Transfer to", exact=True).select_option(label=colleague)
    if note:
        form.get_by_label("Note for your colleague", exact=True).fill(note)
    form.get_by_role("button", name="Transfer", exact=True).click()
    expect(form).to_be_hidden()


def transfer_to(page: Page, colleague: str, note: str = "") -> None:
    """Menu -> Transfer, pick the colleague in "Transfer to", add the note, click Transfer."""
    open_transfer_form(page)
    send_transfer(page, colleague, note)


def transfer_bar(page: Page) -> Locator:
    """The line under the transcript: an offer to answer, a transfer waiting, listening mode, an outcome."""
    return chat_panel(page).locator(".transfer-bar")


def transfer_options(page: Page) -> Locator:
    return page.get_by_label("Transfer to", exact=True).locator("option")


def csrf_token(page: Page) -> str:
    """The token htmx sends with every agent request (the body's hx-headers)."""
    headers = page.locator("body").get_attribute("hx-headers")
    return re.search(r'"X-CSRFToken":\s*"([^"]+)"', headers).group(1)
