"""Sending files in real browsers: a picture from the visitor, a document from the agent, each arriving live
on the other side, and a file the channel refuses."""

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.flows import (
    agent_says,
    answer_next_in_queue,
    chat_panel,
    message_box,
    panel_transcript,
    start_visitor_chat,
    widget_transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)

ORDER_TEXT = b"Order 1234\nTwo blue mugs, sent on Monday.\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (27, 95, 214)).save(buffer, format="PNG")
    return buffer.getvalue()


def send_file(where, name: str, content: bytes, mime_type: str = "application/octet-stream") -> None:
    """Choose a file with the "Send a file" picker, the way a person picks one from their disk."""
    where.get_by_label("Send a file", exact=True).set_input_files(
        files=[{"name": name, "mimeType": mime_type, "buffer": content}]
    )


def picture_is_shown(image) -> bool:
    """The <img> really loaded (a refused download would show a broken picture)."""
    return image.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)")


def test_the_visitors_picture_appears_live_as_a_preview_for_the_agent(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "My mug arrived broken")
    answer_next_in_queue(alice, "Vera")

    send_file(visitor, "broken-mug.png", png_bytes(), "image/png")

    preview = panel_transcript(alice).get_by_role("img", name="broken-mug.png")
    expect(preview).to_be_visible()
    assert picture_is_shown(preview)
    expect(panel_transcript(alice).get_by_role("link", name="broken-mug.png")).to_have_attribute(
        "href", preview.get_attribute("src")
    )
    own_copy = widget_transcript(visitor).get_by_role("img", name="broken-mug.png")
    expect(own_copy).to_be_visible()
    assert picture_is_shown(own_copy)


def test_the_agents_document_arrives_live_and_the_visitor_downloads_it(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Can I have my order as a file?")
    answer_next_in_queue(alice, "Vera")
    message_box(alice).fill("Here it is")  # half-typed: sending a file must not wipe it

    send_file(chat_panel(alice), "order-1234.txt", ORDER_TEXT, "text/plain")

    link = widget_transcript(visitor).get_by_role("link", name="order-1234.txt")
    expect(link).to_be_visible()
    expect(link).to_contain_text(f"{len(ORDER_TEXT)}")
    with visitor.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "order-1234.txt"
    assert Path(download.path()).read_bytes() == ORDER_TEXT
    expect(panel_transcript(alice).get_by_role("link", name="order-1234.txt")).to_be_visible()
    expect(message_box(alice)).to_have_value("Here it is")


def test_a_file_above_the_channels_limit_is_refused_with_a_clear_message(demo_team, new_page, login):
    demo_team.channel.max_file_size_bytes = 1000
    demo_team.channel.save()
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(), "Vera", "Here is my long log file")
    answer_next_in_queue(alice, "Vera")

    send_file(visitor, "long.txt", b"x" * 5000, "text/plain")
    expect(visitor.locator("#widget-error")).to_contain_text("This file is too large. Files can be at most 1000")

    send_file(chat_panel(alice), "long.txt", b"x" * 5000, "text/plain")
    expect(alice.locator("#flash")).to_contain_text("This file is too large. Files can be at most 1000")

    send_file(visitor, "short.txt", b"x" * 500, "text/plain")
    expect(panel_transcript(alice).get_by_role("link", name="short.txt")).to_be_visible()
    expect(panel_transcript(alice).get_by_role("link", name="long.txt")).to_have_count(0)
    expect(widget_transcript(visitor).get_by_role("link", name="long.txt")).to_have_count(0)


def test_a_picture_arriving_in_a_full_transcript_is_scrolled_into_view(demo_team, new_page, login):
    alice = login(new_page(), "alice")
    visitor = start_visitor_chat(new_page(viewport={"width": 400, "height": 600}), "Vera", "My mug arrived broken")
    answer_next_in_queue(alice, "Vera")
    for line in range(1, 9):
        agent_says(alice, f"Question {line} about the mug")
    expect(widget_transcript(visitor)).to_contain_text("Question 8 about the mug")

    send_file(chat_panel(alice), "replacement-mug.png", png_bytes(), "image/png")

    picture = widget_transcript(visitor).get_by_role("img", name="replacement-mug.png")
    expect(picture).to_be_in_viewport(ratio=1)
