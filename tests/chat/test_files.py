"""Files in a chat: the channel's limits, the type check, who may send, and who may download."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from chat.models import Attachment, ChatSession, Listener, Message
from chat.services.files import MULTIPART_MARGIN_BYTES, file_send_by_agent, file_send_by_visitor
from helpdesk.errors import Invalid
from tests.factories import ChatSessionFactory, MessageFactory, UserFactory, logged_in, make_agent
from transfers.models import Transfer

pytestmark = pytest.mark.django_db

TEXT = b"Order 1234: two blue mugs.\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def chat(support, alice):
    return ChatSessionFactory(
        channel=support, owner=alice, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_name="Vera",
    )


def picture(image_format="PNG", size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (27, 95, 214)).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media_root) -> list[Path]:
    return [path for path in Path(media_root).rglob("*") if path.is_file()]


def widget_url(session, suffix=""):
    return f"/widget/{session.channel.slug}/chat/{session.token}/files/{suffix}"


def visitor_sends(session, name, content, content_type="application/octet-stream"):
    return Client(enforce_csrf_checks=True).post(widget_url(session), {"file": upload(name, content, content_type)})


def agent_sends(client, session, name, content, content_type="application/octet-stream"):
    return client.post(f"/chats/{session.pk}/files/", {"file": upload(name, content, content_type)})


# --- Sending ---------------------------------------------------------------------------------------------


def test_a_visitors_picture_becomes_a_line_of_the_transcript_with_its_file(chat, media_root):
    response = visitor_sends(chat, "broken mug.png", picture())

    assert response.status_code == 204
    message = Message.objects.get(session=chat)
    assert (message.kind, message.body) == (Message.Kind.VISITOR, "")
    assert message.attachment.original_name == "broken mug.png"
    assert message.attachment.content_type == "image/png"
    assert message.attachment.size == len(picture())
    assert [path.read_bytes() for path in stored_files(media_root)] == [picture()]


def test_an_agents_text_file_becomes_their_line_of_the_transcript(chat, alice):
    response = agent_sends(logged_in(alice), chat, "order.txt", TEXT)

    assert response.status_code == 204
    message = Message.objects.get(session=chat)
    assert (message.kind, message.author) == (Message.Kind.AGENT, alice)
    assert message.attachment.content_type == "text/plain"
    assert message.attachment.file.read() == TEXT


def test_the_type_the_browser_claims_is_ignored(chat):
    visitor_sends(chat, "notes.txt", b"<script>alert(1)</script>", content_type="image/png")

    assert Attachment.objects.get().content_type == "text/plain"


def test_the_agents_upload_needs_the_csrf_token(chat, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = agent_sends(client, chat, "order.txt", TEXT)

    assert response.status_code == 403
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "name, content, refusal",
    [
        ("big.txt", b"x" * 1001, "This file is too large. Files can be at most 1000\xa0bytes."),
        ("empty.txt", b"", "This file is empty."),
        ("tool.exe", b"MZ\x90\x00", "Files of this type cannot be sent here. You can send: png, jpg, txt, pdf."),
        ("README", b"hello", "Files of this type cannot be sent here."),
        ("n" * 197 + ".txt", b"hello", "A file name can be at most 200 characters long."),
        ("fake.png", b"<html>not a picture</html>", "This file is not a real PNG image."),
        ("renamed.jpg", picture("PNG"), "This file is not a real JPG image."),
        ("cut-off.png", picture()[:40], "This file is not a real PNG image."),
    ],
    ids=["too large", "empty", "type not allowed", "no type", "name too long", "fake picture",
         "picture of another type", "damaged picture"],
)
def test_a_refused_file_gets_a_clear_answer_and_nothing_is_stored(chat, alice, media_root, name, content, refusal):
    chat.channel.max_file_size_bytes = 1000
    chat.channel.allowed_file_types = "png, .JPG,txt,pdf"
    chat.channel.save()

    for response in (visitor_sends(chat, name, content), agent_sends(logged_in(alice), chat, name, content)):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert refusal in response.text

    assert not Message.objects.filter(session=chat).exists()
    assert stored_files(media_root) == []


@pytest.fixture
def bodies_left_unparsed(monkeypatch):
    """Fails the test if anything parses a multipart body: that spools its file to disk, whatever its size."""

    def parse(self):
        raise AssertionError("the upload's body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", parse)


def test_an_upload_larger_than_the_channel_allows_is_refused_with_413_before_its_body_is_read(
    chat, alice, media_root, bodies_left_unparsed
):
    chat.channel.max_file_size_bytes = 1000
    chat.channel.save()
    too_large = b"x" * (1000 + MULTIPART_MARGIN_BYTES + 1)
    agent = Client(enforce_csrf_checks=True)  # CSRF's own check reads the body too, unless the size comes first
    agent.force_login(alice)

    for response in (visitor_sends(chat, "big.txt", too_large), agent_sends(agent, chat, "big.txt", too_large)):
        assert response.status_code == 413
        assert response["Content-Type"].startswith("text/plain")
        assert response.text == "This file is too large. Files can be at most 1000\xa0bytes."

    assert not Message.objects.filter(session=chat).exists()
    assert stored_files(media_root) == []


def test_an_agent_with_the_csrf_token_sends_a_file_within_the_limit(chat, alice):
    agent = Client(enforce_csrf_checks=True)
    agent.force_login(alice)
    agent.get("/")  # the workspace hands out the CSRF cookie

    response = agent.post(
        f"/chats/{chat.pk}/files/", {"file": upload("order.txt", TEXT)},
        HTTP_X_CSRFTOKEN=agent.cookies[settings.CSRF_COOKIE_NAME].value,
    )

    assert response.status_code == 204
    assert Attachment.objects.get().original_name == "order.txt"


def test_the_channels_own_allow_list_decides(chat):
    chat.channel.allowed_file_types = "pdf"
    chat.channel.save()

    assert visitor_sends(chat, "photo.png", picture()).status_code == 400
    assert visitor_sends(chat, "Invoice.PDF", b"%PDF-1.4 ...").status_code == 204
    assert Attachment.objects.get().content_type == "application/pdf"


def test_a_jpeg_and_a_gif_are_recognised_as_pictures(chat):
    visitor_sends(chat, "a.jpeg", picture("JPEG"))
    visitor_sends(chat, "b.gif", picture("GIF"))

    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == ["image/gif", "image/jpeg"]


def test_sending_without_choosing_a_file_is_refused(chat):
    response = Client().post(widget_url(chat), {})

    assert response.status_code == 400
    assert response.text == "Choose a file first."


def test_only_the_owner_can_send_a_file_to_an_active_chat(chat, support, media_root):
    bob = make_agent("bob", channel=support)

    response = agent_sends(logged_in(bob), chat, "order.txt", TEXT)

    assert response.status_code == 403
    assert response.text == "Only the agent who owns this chat can reply to it."
    assert stored_files(media_root) == []


def test_nobody_can_send_a_file_to_a_waiting_chat_yet(support, alice):
    queued = ChatSessionFactory(channel=support)

    assert agent_sends(logged_in(alice), queued, "order.txt", TEXT).status_code == 403


def test_after_the_chat_ended_neither_side_can_send_a_file(chat, alice, media_root):
    chat.status = ChatSession.Status.ENDED
    chat.ended_at = timezone.now()
    chat.save()

    assert visitor_sends(chat, "order.txt", TEXT).status_code == 409
    assert agent_sends(logged_in(alice), chat, "order.txt", TEXT).status_code == 409
    assert stored_files(media_root) == []


def test_the_services_refuse_a_missing_file(chat, alice):
    with pytest.raises(Invalid):
        file_send_by_visitor(session=chat, upload=None)
    with pytest.raises(Invalid):
        file_send_by_agent(session=chat, agent=alice, upload=None)


def test_sending_a_file_tells_the_chats_watchers_after_the_commit(chat, alice, django_capture_on_commit_callbacks,
                                                                  monkeypatch):
    sent = []
    monkeypatch.setattr("live.events.send_now", sent.extend)

    with django_capture_on_commit_callbacks(execute=True):
        file_send_by_visitor(session=chat, upload=upload("order.txt", TEXT))

    counts = [event for group, event in sent if group == f"agent.{alice.pk}" and event.get("parts") == ["unread_count"]]
    assert [(event["session_id"], event["unread"]) for event in counts] == [(chat.pk, 1)], "an unread line more"
    assert (f"session.{chat.pk}", {"type": "session.changed", "change": "messages"}) in sent


# --- Downloading -----------------------------------------------------------------------------------------


@pytest.fixture
def sent_file(chat, alice):
    return file_send_by_agent(session=chat, agent=alice, upload=upload("order.txt", TEXT)).attachment


def agent_download(client, attachment, session=None):
    session_id = (session or attachment.message.session).pk
    return client.get(f"/chats/{session_id}/files/{attachment.pk}/")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_visitor_downloads_the_file_by_their_chats_token(chat, sent_file):
    response = Client().get(widget_url(chat, f"{sent_file.pk}/"))

    assert response.status_code == 200
    assert body(response) == TEXT
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="order.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_another_chats_token_does_not_open_the_file(support, sent_file):
    other_chat = ChatSessionFactory(channel=support)

    assert Client().get(widget_url(other_chat, f"{sent_file.pk}/")).status_code == 404


def test_a_picture_opens_inline_but_cannot_run_as_a_page(chat):
    attachment = file_send_by_visitor(session=chat, upload=upload("mug.png", picture())).attachment

    response = Client().get(widget_url(chat, f"{attachment.pk}/"))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="mug.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert body(response) == picture()


def test_the_owner_downloads_the_file(alice, sent_file):
    response = agent_download(logged_in(alice), sent_file)

    assert response.status_code == 200
    assert body(response) == TEXT


def test_the_agent_who_handed_the_chat_over_can_still_download_it(chat, support, sent_file):
    bob = make_agent("bob", channel=support)
    Listener.objects.create(session=chat, agent=bob, reason=Listener.Reason.HANDED_OVER)

    assert agent_download(logged_in(bob), sent_file).status_code == 200


def test_the_colleague_a_transfer_waits_for_can_download_it(chat, support, alice, sent_file):
    bob = make_agent("bob", channel=support)
    Transfer.objects.create(session=chat, from_agent=alice, to_agent=bob, requested_by=alice)

    assert agent_download(logged_in(bob), sent_file).status_code == 200


@pytest.mark.parametrize("right", ["can_listen_in", "is_manager"])
def test_a_supervisor_or_manager_of_the_channel_can_download_it(support, sent_file, right):
    carol = make_agent("carol", channel=support, **{right: True})

    assert agent_download(logged_in(carol), sent_file).status_code == 200


def test_another_agent_gets_404(support, sent_file):
    bob = make_agent("bob", channel=support)

    assert agent_download(logged_in(bob), sent_file).status_code == 404


def test_an_agent_who_closed_the_window_after_handing_over_gets_404(chat, support, sent_file):
    bob = make_agent("bob", channel=support)
    Listener.objects.create(session=chat, agent=bob, reason=Listener.Reason.HANDED_OVER, closed_at=timezone.now())

    assert agent_download(logged_in(bob), sent_file).status_code == 404


def test_a_logged_in_person_who_is_no_agent_gets_404(sent_file):
    assert agent_download(logged_in(UserFactory()), sent_file).status_code == 404


def test_someone_not_logged_in_is_sent_to_the_login_page(sent_file):
    response = agent_download(Client(), sent_file)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_file_is_not_found_through_another_chat_the_agent_owns(support, alice, sent_file):
    own_chat = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ACTIVE)

    assert agent_download(logged_in(alice), sent_file, session=own_chat).status_code == 404


def test_a_stored_file_has_no_public_address(alice, sent_file):
    for url in (f"/{sent_file.file.name}", f"/media/{sent_file.file.name}", f"/static/{sent_file.file.name}"):
        assert logged_in(alice).get(url).status_code == 404, url


def test_a_file_missing_from_the_disk_is_404_not_an_error(alice, sent_file):
    sent_file.file.storage.delete(sent_file.file.name)

    assert agent_download(logged_in(alice), sent_file).status_code == 404


# --- In the transcript -----------------------------------------------------------------------------------


def test_the_agent_sees_a_thumbnail_of_a_picture_and_a_download_link_for_other_files(chat, alice, sent_file):
    picture_line = file_send_by_visitor(session=chat, upload=upload("mug <1>.png", picture())).attachment
    picture_url = f"/chats/{chat.pk}/files/{picture_line.pk}/"

    html = logged_in(alice).get(f"/chats/{chat.pk}/").text

    assert f'<a href="{picture_url}" target="_blank" rel="noopener" class="thumbnail"><img src="{picture_url}"' in html
    assert 'alt="mug &lt;1&gt;.png"' in html
    assert f'<a href="/chats/{chat.pk}/files/{sent_file.pk}/" download class="file">order.txt' in html
    assert "(27\xa0bytes)" in html


def test_the_visitor_sees_the_same_files_under_their_token(chat, sent_file):
    file_send_by_visitor(session=chat, upload=upload("mug.png", picture()))

    html = Client().get(f"/widget/{chat.channel.slug}/chat/{chat.token}/").text

    assert f'href="{widget_url(chat, f"{sent_file.pk}/")}" download' in html
    assert 'alt="mug.png"' in html
    assert f"/chats/{chat.pk}/files/" not in html


def test_both_sides_offer_send_a_file_with_the_channels_types(chat, alice):
    chat.channel.allowed_file_types = "pdf,png"
    chat.channel.save()

    for html in (logged_in(alice).get(f"/chats/{chat.pk}/").text,
                 Client().get(f"/widget/{chat.channel.slug}/chat/{chat.token}/").text):
        assert '<input type="file"' in html and 'accept=".pdf,.png"' in html
        assert "Send a file</label>" in html


def test_the_chat_panel_reads_files_in_a_fixed_number_of_queries(chat, alice):
    client = logged_in(alice)

    def queries_for_the_panel():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/chats/{chat.pk}/").status_code == 200
        return len(queries)

    file_send_by_visitor(session=chat, upload=upload("one.png", picture()))
    MessageFactory(session=chat)
    queries_for_the_panel()  # the first visit also records how far the agent has read
    MessageFactory(session=chat)
    few = queries_for_the_panel()
    for n in range(5):
        file_send_by_visitor(session=chat, upload=upload(f"more-{n}.txt", TEXT))
        MessageFactory(session=chat)

    assert queries_for_the_panel() == few
