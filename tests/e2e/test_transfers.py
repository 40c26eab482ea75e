"""Transfers in real browsers: the visitor, alice, bob, carol and maria each in their own browser context,
and every hand-over reaching all of them live, without a reload.

alice answers the visitor's chat in every story; who it goes to next, and how, is what each test tells.
"""

import re

import pytest
from playwright.sync_api import expect

from chat.models import Channel, Listener
from helpdesk.models import AgentProfile
from tests.e2e.flows import (
    agent_says,
    answer_next_in_queue,
    chat_panel,
    choose_from_menu,
    end_chat_as_agent,
    expect_chat_open,
    message_box,
    open_chats_tab,
    open_dashboard,
    open_transfer_form,
    ongoing_row,
    panel_transcript,
    send_transfer,
    session_entry,
    set_presence,
    start_visitor_chat,
    transfer_bar,
    transfer_options,
    transfer_to,
    visitor_says,
    widget_status,
    widget_transcript,
)
from transfers.models import Transfer

pytestmark = pytest.mark.django_db(transaction=True)

ALICE, BOB, CAROL, MARIA = "Alice Andersson", "Bob de Boer", "Carol Chen", "Maria Manager"
LISTENING_TO_BOB = (
    f"You are in listening mode: {BOB} is now chatting with the visitor. You can follow the chat but not reply."
)


def alice_answers_vera(new_page, login, question="Where is my order?"):
    """The visitor Vera starts a chat and alice answers it: (alice, visitor)."""
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", question)
    answer_next_in_queue(alice, "Vera")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Alice.")
    return alice, visitor


def expect_offer(page, from_name: str, note: str = "") -> None:
    """The chat was offered to this agent: the panel opened by itself with Accept / Reject."""
    expect_chat_open(page, "Vera")
    bar = transfer_bar(page)
    expect(bar).to_contain_text(f"{from_name} wants to transfer this chat to you.")
    if note:
        expect(bar).to_contain_text(note)
    expect(bar.get_by_role("button", name="Accept transfer")).to_be_visible()
    expect(bar.get_by_role("button", name="Reject transfer")).to_be_visible()


def expect_listening(page, owner_name: str, took_over: bool = False) -> None:
    """The agent handed the chat over: listening mode, no Message box, the chat still in their list."""
    notice = f"You are in listening mode: {owner_name} is now chatting with the visitor."
    if took_over:
        notice = f"{owner_name} took over this chat. {notice}"
    expect(transfer_bar(page)).to_contain_text(notice)
    expect(message_box(page)).to_have_count(0)
    expect(session_entry(page, "Vera")).to_contain_text("Listening")


def test_a_transfer_accepted_hands_the_chat_to_the_colleague_and_puts_the_owner_in_listening_mode(
    demo_team, new_page, login
):
    AgentProfile.objects.filter(user=demo_team.maria).update(status=AgentProfile.Status.AWAY)
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    carol = login(new_page(), "carol")

    # "Transfer to" offers the Present colleagues only, and follows presence while it is open.
    open_transfer_form(alice)
    expect(transfer_options(alice)).to_have_text(["Choose a colleague", BOB, CAROL])
    set_presence(carol, "Away")
    expect(transfer_options(alice)).to_have_text(["Choose a colleague", BOB])
    send_transfer(alice, BOB, note="Wants a refund for order 1234.")

    expect(session_entry(alice, "Vera")).to_contain_text("⚠ Transfer to Bob waiting")
    expect(transfer_bar(alice)).to_contain_text(f"Waiting for {BOB} to accept the transfer.")

    # bob's panel opens by itself, with the transcript and alice's note.
    expect_offer(bob, ALICE, note="Wants a refund for order 1234.")
    expect(panel_transcript(bob)).to_contain_text("Where is my order?")
    expect(session_entry(bob, "Vera")).to_contain_text("Transferred to you")

    # While bob decides, the visitor's words reach both of them.
    visitor_says(visitor, "Is anyone still there?")
    expect(panel_transcript(alice)).to_contain_text("Is anyone still there?")
    expect(panel_transcript(bob)).to_contain_text("Is anyone still there?")

    transfer_bar(bob).get_by_role("button", name="Accept transfer").click()
    expect(transfer_bar(bob).get_by_role("button", name="Accept transfer")).to_have_count(0)
    agent_says(bob, "Hi Vera, Bob here. I will sort out the refund.")
    expect(widget_transcript(visitor)).to_contain_text("Hi Vera, Bob here. I will sort out the refund.")
    expect(widget_transcript(visitor)).to_contain_text("You are now chatting with Bob.")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Bob.")

    # alice follows along without a Message box, until she closes the window.
    expect_listening(alice, BOB)
    expect(transfer_bar(alice)).to_contain_text(LISTENING_TO_BOB)
    expect(panel_transcript(alice)).to_contain_text("Hi Vera, Bob here. I will sort out the refund.")
    visitor_says(visitor, "Thank you, Bob!")
    expect(panel_transcript(alice)).to_contain_text("Thank you, Bob!")
    expect(panel_transcript(bob)).to_contain_text("Thank you, Bob!")

    choose_from_menu(alice, "Close window")
    expect(session_entry(alice, "Vera")).to_have_count(0)
    expect(chat_panel(alice).get_by_role("heading", name="Vera")).to_have_count(0)
    expect(session_entry(bob, "Vera")).to_be_visible()


def test_a_rejected_transfer_leaves_the_chat_with_its_owner(demo_team, new_page, login):
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    transfer_to(alice, BOB)
    expect(session_entry(alice, "Vera")).to_contain_text("Transfer to Bob waiting")
    expect_offer(bob, ALICE)

    transfer_bar(bob).get_by_role("button", name="Reject transfer").click()
    expect(chat_panel(bob).get_by_role("heading", name="Vera")).to_have_count(0)
    expect(session_entry(bob, "Vera")).to_have_count(0)

    expect(session_entry(alice, "Vera")).not_to_contain_text("Transfer to Bob waiting")
    expect(transfer_bar(alice)).to_contain_text(f"{BOB} rejected the transfer. You can continue the chat.")
    agent_says(alice, "Let me look into it myself.")
    expect(widget_transcript(visitor)).to_contain_text("Let me look into it myself.")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Alice.")


def test_the_same_chat_offered_again_after_a_reject_opens_on_the_colleagues_screen_again(
    demo_team, new_page, login
):
    """The second offer's opener is a fragment identical to the first's but for its event: live.js leaves
    an unchanged fragment alone, so without that its load trigger would never fire again."""
    alice, _visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    transfer_to(alice, BOB)
    expect_offer(bob, ALICE)
    transfer_bar(bob).get_by_role("button", name="Reject transfer").click()
    expect(chat_panel(bob).get_by_role("heading", name="Vera")).to_have_count(0)
    expect(transfer_bar(alice)).to_contain_text(f"{BOB} rejected the transfer.")

    transfer_to(alice, BOB)

    expect_offer(bob, ALICE)


def test_a_transfer_cancelled_by_the_owner_vanishes_from_the_colleagues_screen(demo_team, new_page, login):
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    transfer_to(alice, BOB, note="Billing question.")
    expect_offer(bob, ALICE, note="Billing question.")

    transfer_bar(alice).get_by_role("button", name="Cancel transfer").click()
    expect(chat_panel(bob)).to_contain_text(f"{ALICE} cancelled the transfer.")
    expect(chat_panel(bob).get_by_role("button", name="Accept transfer")).to_have_count(0)
    expect(session_entry(bob, "Vera")).to_have_count(0)

    expect(transfer_bar(alice)).to_contain_text("The transfer was cancelled. You can continue the chat.")
    expect(session_entry(alice, "Vera")).not_to_contain_text("Transfer to Bob waiting")
    agent_says(alice, "I am still here.")
    expect(widget_transcript(visitor)).to_contain_text("I am still here.")


@pytest.mark.parametrize("closed_by", ["owner_ends_the_chat", "visitor_ends_the_chat", "manager_takes_over"])
def test_an_offer_closed_by_an_end_chat_or_a_take_over_tells_the_receiver_what_happened(
    demo_team, new_page, login, closed_by
):
    """Nobody chose Cancel transfer: bob's emptied panel says what did close the offer."""
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    transfer_to(alice, BOB)
    expect_offer(bob, ALICE)

    if closed_by == "owner_ends_the_chat":
        end_chat_as_agent(alice)
        told = f"{ALICE} ended the chat."
    elif closed_by == "visitor_ends_the_chat":
        visitor.once("dialog", lambda dialog: dialog.accept())
        visitor.get_by_role("button", name="End chat").click()
        told = "The visitor ended the chat."
    else:
        maria = login(new_page(), "maria")
        open_dashboard(maria)
        ongoing_row(maria, "Vera").dblclick()
        expect_chat_open(maria, "Vera")
        choose_from_menu(maria, "Take over")
        told = f"{MARIA} took over the chat."

    expect(chat_panel(bob)).to_contain_text(told)
    expect(chat_panel(bob)).not_to_contain_text("cancelled the transfer")
    expect(chat_panel(bob).get_by_role("button", name="Accept transfer")).to_have_count(0)
    expect(session_entry(bob, "Vera")).to_have_count(0)


def test_a_manager_takes_over_a_chat_from_the_dashboard(demo_team, new_page, login):
    alice, visitor = alice_answers_vera(new_page, login)
    maria = login(new_page(), "maria")
    open_dashboard(maria)
    expect(ongoing_row(maria, "Vera")).to_contain_text(ALICE)
    ongoing_row(maria, "Vera").dblclick()
    expect_chat_open(maria, "Vera")
    expect(message_box(maria)).to_have_count(0)

    choose_from_menu(maria, "Take over")
    expect(message_box(maria)).to_be_visible()
    agent_says(maria, "Hello Vera, Maria here.")
    expect(widget_transcript(visitor)).to_contain_text("Hello Vera, Maria here.")
    expect(widget_transcript(visitor)).to_contain_text("You are now chatting with Maria.")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Maria.")

    expect_listening(alice, MARIA, took_over=True)
    expect(panel_transcript(alice)).to_contain_text("Hello Vera, Maria here.")
    open_dashboard(maria)
    expect(ongoing_row(maria, "Vera")).to_contain_text(MARIA)


def test_a_manager_transfers_an_agents_chat_to_a_colleague(demo_team, new_page, login):
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    maria = login(new_page(), "maria")
    open_dashboard(maria)
    ongoing_row(maria, "Vera").dblclick()
    expect_chat_open(maria, "Vera")

    transfer_to(maria, BOB, note="Alice is needed elsewhere.")
    expect(ongoing_row(maria, "Vera")).to_contain_text("Transfer to Bob waiting")
    expect(session_entry(alice, "Vera")).to_contain_text("Transfer to Bob waiting")
    expect_offer(bob, MARIA, note="Alice is needed elsewhere.")

    transfer_bar(bob).get_by_role("button", name="Accept transfer").click()
    agent_says(bob, "Bob here, taking over from Alice.")
    expect(widget_transcript(visitor)).to_contain_text("Bob here, taking over from Alice.")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Bob.")
    expect_listening(alice, BOB)
    open_dashboard(maria)
    expect(ongoing_row(maria, "Vera")).to_contain_text(BOB)


def test_an_agent_who_can_listen_in_watches_a_chat_unnoticed_and_others_cannot(
    demo_team, new_page, login, daphne_server
):
    alice, visitor = alice_answers_vera(new_page, login)
    carol = login(new_page(), "carol")
    open_dashboard(carol)
    ongoing_row(carol, "Vera").dblclick()
    expect_chat_open(carol, "Vera")
    expect(transfer_bar(carol)).to_contain_text("You are listening in. The visitor and the agent are not told.")
    expect(panel_transcript(carol)).to_contain_text("Where is my order?")
    expect(message_box(carol)).to_have_count(0)
    chat_panel(carol).get_by_role("button", name="Menu", exact=True).click()
    expect(chat_panel(carol).locator(".menu-items button")).to_have_text(["Close window"])
    chat_panel(carol).get_by_role("button", name="Menu", exact=True).click()

    visitor_says(visitor, "Order 1234.")
    expect(panel_transcript(carol)).to_contain_text("Order 1234.")
    agent_says(alice, "Found it, it ships today.")
    expect(panel_transcript(carol)).to_contain_text("Found it, it ships today.")
    expect(widget_transcript(visitor)).to_contain_text("Found it, it ships today.")
    # Both have seen everything that happened after carol came in, and nothing of her.
    expect(panel_transcript(alice)).not_to_contain_text("Carol")
    expect(transfer_bar(alice)).to_have_text("")
    expect(session_entry(alice, "Vera")).not_to_contain_text("Listening")
    expect(visitor.locator("body")).not_to_contain_text("Carol")

    # bob sees the chat going on, but cannot open it, by double-click or by a forged request.
    bob = login(new_page(), "bob")
    open_dashboard(bob)
    row = ongoing_row(bob, "Vera")
    expect(row).to_contain_text(ALICE)
    expect(row).not_to_have_attribute("title", "Double-click or press Enter to view")
    session_id = row.get_attribute("data-session-id")
    forged = bob.request.get(f"/chats/{session_id}/")
    assert forged.status == 403, forged.status
    assert "Can listen in" in forged.text()
    close_code = bob.evaluate(
        """url => new Promise(resolve => {
            const socket = new WebSocket(url);
            socket.onclose = event => resolve(event.code);
        })""",
        daphne_server.replace("http", "ws", 1) + f"/ws/chats/{session_id}/",
    )
    assert close_code == 4403
    open_chats_tab(bob)
    expect(session_entry(bob, "Vera")).to_have_count(0)


def test_a_supervisor_who_listens_in_can_close_the_window_which_ends_the_visit(demo_team, new_page, login):
    alice, visitor = alice_answers_vera(new_page, login)
    carol = login(new_page(), "carol")
    open_dashboard(carol)
    ongoing_row(carol, "Vera").dblclick()
    expect_chat_open(carol, "Vera")
    visits = Listener.objects.filter(
        session__visitor_name="Vera", agent=demo_team.carol, reason=Listener.Reason.SUPERVISOR
    )
    assert visits.filter(closed_at__isnull=True).exists()

    choose_from_menu(carol, "Close window")

    expect(chat_panel(carol).get_by_role("heading", name="Vera")).to_have_count(0)
    expect(chat_panel(carol)).to_contain_text("Pick a chat from the sessions list")
    assert visits.exists() and not visits.filter(closed_at__isnull=True).exists(), "the visit stays on record, closed"
    visitor_says(visitor, "Are you still there?")
    expect(panel_transcript(alice)).to_contain_text("Are you still there?")


def test_an_agent_who_hands_a_chat_over_loses_the_contact_tools_at_once(demo_team, new_page, login):
    """Listening mode cannot change the chat's contact: Create contact and the search go without a reload."""
    alice, _visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    expect(chat_panel(alice).get_by_role("button", name="Create contact")).to_be_visible()
    expect(chat_panel(alice).get_by_label("Search contacts")).to_be_visible()

    transfer_to(alice, BOB)
    expect_offer(bob, ALICE)
    transfer_bar(bob).get_by_role("button", name="Accept transfer").click()

    expect_listening(alice, BOB)
    expect(chat_panel(alice).get_by_role("button", name="Create contact")).to_have_count(0)
    expect(chat_panel(alice).get_by_label("Search contacts")).to_have_count(0)
    expect(chat_panel(bob).get_by_role("button", name="Create contact")).to_be_visible()


def test_where_transfers_need_no_acceptance_choosing_another_owner_hands_the_chat_over_at_once(
    demo_team, new_page, login
):
    Channel.objects.filter(pk=demo_team.channel.pk).update(transfers_need_acceptance=False)
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")

    chat_panel(alice).get_by_label("Owner", exact=True).select_option(label=BOB)

    expect_listening(alice, BOB)
    expect(widget_transcript(visitor)).to_contain_text("You are now chatting with Bob.")
    expect(widget_status(visitor)).to_contain_text("You are chatting with Bob.")
    expect_chat_open(bob, "Vera")  # by itself: a click on the list now would reload it under his typing
    expect(transfer_bar(bob).get_by_role("button", name="Accept transfer")).to_have_count(0)
    agent_says(bob, "Bob here, how can I help?")
    expect(widget_transcript(visitor)).to_contain_text("Bob here, how can I help?")
    expect(panel_transcript(alice)).to_contain_text("Bob here, how can I help?")


def test_where_transfers_need_no_acceptance_a_note_typed_first_goes_with_the_one_hand_over(
    demo_team, new_page, login
):
    """Leaving the note field must not post the Owner form with nobody chosen: only choosing a colleague
    hands the chat over, once, with the note."""
    Channel.objects.filter(pk=demo_team.channel.pk).update(transfers_need_acceptance=False)
    alice, _visitor = alice_answers_vera(new_page, login)
    login(new_page(), "bob")
    transfer_posts = []
    alice.on("request", lambda request: transfer_posts.append(request.url)
             if request.method == "POST" and request.url.endswith("/transfer/") else None)
    owner_form = chat_panel(alice).locator("form.owner-select")

    note = owner_form.get_by_label("Note for your colleague")
    note.fill("Wants a demo on Friday")
    note.press("Tab")  # leaving the field fires its change event
    owner_form.get_by_label("Owner", exact=True).select_option(label=BOB)

    expect_listening(alice, BOB)
    assert len(transfer_posts) == 1, transfer_posts
    hand_over = Transfer.objects.get(session__visitor_name="Vera")
    assert (hand_over.kind, hand_over.to_agent.username, hand_over.note) == (
        Transfer.Kind.REASSIGN, "bob", "Wants a demo on Friday"
    )


def test_where_transfers_need_no_acceptance_the_new_owner_sees_the_chat_open_and_highlighted_with_the_note(
    demo_team, new_page, login
):
    """As for an offer: the chat opens on bob's screen by itself (he is on the Dashboard tab), is
    highlighted in his sessions list until he writes, and shows alice's note."""
    Channel.objects.filter(pk=demo_team.channel.pk).update(transfers_need_acceptance=False)
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    expect(bob.locator("main.workspace")).to_have_attribute("data-e2e-live", "")
    owner_form = chat_panel(alice).locator("form.owner-select")

    owner_form.get_by_label("Note for your colleague").fill("Wants a demo on Friday")
    owner_form.get_by_label("Owner", exact=True).select_option(label=BOB)

    expect_listening(alice, BOB)
    expect_chat_open(bob, "Vera")
    expect(transfer_bar(bob)).to_contain_text(f"{ALICE} handed this chat to you.")
    expect(transfer_bar(bob)).to_contain_text("Wants a demo on Friday")
    entry = session_entry(bob, "Vera")
    expect(entry).to_have_class(re.compile(r"\boffered\b"))
    expect(entry).to_contain_text("Transferred to you")

    agent_says(bob, "Bob here, I can book that demo.")
    expect(widget_transcript(visitor)).to_contain_text("Bob here, I can book that demo.")
    expect(entry).not_to_contain_text("Transferred to you")
    expect(entry).not_to_have_class(re.compile(r"\boffered\b"))


def test_where_transfers_need_no_acceptance_enter_in_the_note_never_puts_it_in_a_url(
    demo_team, new_page, login, daphne_server
):
    """Enter in the Owner form's note posts the form through htmx (which asks for a colleague) instead of
    a native GET to /?to_agent=&note=... that reloads the workspace and logs the note; without scripts the
    form would post."""
    Channel.objects.filter(pk=demo_team.channel.pk).update(transfers_need_acceptance=False)
    alice, _visitor = alice_answers_vera(new_page, login)
    login(new_page(), "bob")
    requested = []
    alice.on("request", lambda request: requested.append(request.url))
    owner_form = chat_panel(alice).locator("form.owner-select")
    expect(owner_form).to_have_attribute("method", "post")

    note = owner_form.get_by_label("Note for your colleague")
    note.fill("Card ends in 4242")
    note.press("Enter")

    expect(alice.locator("#flash")).to_have_text("Choose the new owner in the Owner list.")
    expect(note).to_have_value("Card ends in 4242")  # the same page: nothing reloaded it
    assert alice.url == f"{daphne_server}/"
    assert not [url for url in requested if "note=" in url or "4242" in url], requested

    owner_form.get_by_label("Owner", exact=True).select_option(label=BOB)
    expect_listening(alice, BOB)
    assert Transfer.objects.get(session__visitor_name="Vera").note == "Card ends in 4242"


def test_an_unanswered_transfer_times_out_and_both_agents_are_told(demo_team, new_page, login):
    Channel.objects.filter(pk=demo_team.channel.pk).update(transfer_timeout_seconds=3)
    alice, visitor = alice_answers_vera(new_page, login)
    bob = login(new_page(), "bob")
    transfer_to(alice, BOB)
    expect(session_entry(alice, "Vera")).to_contain_text("Transfer to Bob waiting")
    expect(session_entry(bob, "Vera")).to_contain_text("Transferred to you")

    # Nobody clicks: the offer runs out by itself.
    expect(chat_panel(bob)).to_contain_text("The transfer timed out.")
    expect(session_entry(bob, "Vera")).to_have_count(0)
    expect(transfer_bar(alice)).to_contain_text(
        f"{BOB} did not answer in time; the transfer timed out. You can continue the chat."
    )
    expect(session_entry(alice, "Vera")).not_to_contain_text("Transfer to Bob waiting")
    agent_says(alice, "Sorry for the wait.")
    expect(widget_transcript(visitor)).to_contain_text("Sorry for the wait.")
