"""Bad input gets a clear 4xx, never a 500, on SQLite and on PostgreSQL alike (which cannot store or even
compare text holding a NUL byte): NUL bytes in every visitor field, message, comment and token, a
non-ASCII digit where a number belongs, direction controls and invisible-only text; and a pre-chat form
submitted twice starts one chat."""

import threading

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.utils import timezone

from chat.models import ChatSession, Message
from helpdesk.asgi import application
from helpdesk.models import Request
from live.consumers import NOT_FOUND
from tests.factories import ChatSessionFactory
from tests.security.conftest import start, visitor

pytestmark = pytest.mark.django_db

MALFORMED = "This request is too large or malformed, so nothing was saved."
NUL_VALUES = ["\x00", "Vera\x00", "a\x00b" * 10]


def chat_url(session, action=""):
    return f"/widget/{session.channel.slug}/chat/{session.token}/{action}"


@pytest.fixture
def chat(support, online):
    return ChatSessionFactory(
        channel=support, owner=online, status=ChatSession.Status.ACTIVE, answered_at=timezone.now()
    )


@pytest.fixture
def ended(support, online):
    support.transcript_by_email = True
    support.save()
    return ChatSessionFactory(channel=support, owner=online, status=ChatSession.Status.ENDED, ended_at=timezone.now())


# --- NUL bytes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "email", "question", "start_key", "anything"])
@pytest.mark.parametrize("value", NUL_VALUES)
def test_a_nul_byte_in_the_pre_chat_form_is_refused_and_starts_no_chat(support, online, field, value):
    response = start(visitor(), support, **{"question": "Hi", field: value})

    assert response.status_code == 400
    assert response.text == MALFORMED
    assert ChatSession.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "email", "message"])
def test_a_nul_byte_in_the_offline_form_is_refused(support, field):
    fields = {"name": "Vera", "email": "vera@example.org", "message": "Call me", field: "x\x00"}

    response = visitor().post(f"/widget/{support.slug}/offline/", fields)

    assert response.status_code == 400
    assert Request.objects.count() == 0


def test_a_nul_byte_in_a_message_is_refused_and_nothing_is_stored(chat):
    response = visitor().post(chat_url(chat, "messages/"), {"body": "hello\x00"})

    assert response.status_code == 400
    assert response.text == MALFORMED
    assert not chat.messages.exists()


@pytest.mark.parametrize("fields", [
    {"rating": "5", "comment": "good\x00"}, {"rating": "5\x00"}, {"rating": "5", "send_transcript": "1\x00"},
])
def test_a_nul_byte_in_the_post_chat_form_is_refused(ended, fields):
    response = visitor().post(chat_url(ended, "feedback/"), fields)

    assert response.status_code == 400
    ended.refresh_from_db()
    assert ended.rating is None


@pytest.mark.parametrize("action, method", [
    ("", "get"), ("messages/", "post"), ("end/", "post"), ("feedback/", "post"), ("reactivate/", "post"),
    ("typing/", "post"), ("files/", "post"), ("files/1/", "get"),
])
@pytest.mark.parametrize("token", ["\x00", "abc\x00def", "%00"])
def test_a_nul_byte_in_the_token_of_a_widget_url_is_a_4xx(support, action, method, token):
    response = getattr(Client(), method)(f"/widget/{support.slug}/chat/{token}/{action}")

    assert 400 <= response.status_code < 500


def test_a_nul_byte_in_a_query_is_refused(support):
    assert visitor().get(f"/widget/{support.slug}/", {"q": "\x00"}).status_code == 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("token", ["\x00", "abc\x00", "not a token", "²"])
async def test_the_widget_socket_refuses_a_malformed_token_with_4404(token):
    communicator = WebsocketCommunicator(application, f"/ws/widget/{token}/", headers=[(b"origin", b"http://localhost")])

    connected, _ = await communicator.connect(timeout=10)

    assert connected, "a refused socket must be accepted first, or the browser retries for ever"
    assert await communicator.receive_output(timeout=10) == {"type": "websocket.close", "code": NOT_FOUND}
    await communicator.disconnect(timeout=10)


# --- A number that is not one ----------------------------------------------------------------------------


@pytest.mark.parametrize("chat_id", ["²", "١٢", "\x00", "-1", "9" * 30])
def test_the_predefined_picker_ignores_a_chat_id_that_is_no_number(online, chat_id):
    client = Client()
    client.force_login(online)

    response = client.get("/predefined/", {"chat": chat_id})

    assert response.status_code in (200, 400)


# --- Direction controls and invisible text ----------------------------------------------------------------


def test_direction_controls_are_taken_out_of_a_visitors_name_and_question(support, online):
    start(visitor(), support, name="Vera\u202egnp.exe", question="Order \u2066123\u2069 please\u202c")

    session = ChatSession.objects.get()
    assert session.visitor_name == "Veragnp.exe"
    assert session.question == "Order 123 please"


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \u3164 ", "\u202e", "\u2800\u115f"])
def test_a_name_of_invisible_characters_only_is_refused_as_no_name(support, online, name):
    response = start(visitor(), support, name=name)

    assert response.status_code == 400
    assert "Please tell us your name." in response.text
    assert 'value="' in response.text  # the form comes back with what was typed, to be corrected
    assert ChatSession.objects.count() == 0


def test_a_message_of_invisible_characters_only_is_refused(chat):
    response = visitor().post(chat_url(chat, "messages/"), {"body": "\u200b\u200b\ufeff"})

    assert response.status_code == 400
    assert response.text == "Type a message first."
    assert not chat.messages.exists()


def test_right_to_left_text_itself_is_kept(chat):
    visitor().post(chat_url(chat, "messages/"), {"body": "שלום, איפה ההזמנה שלי؟ مرحبا"})

    assert chat.messages.get().body == "שלום, איפה ההזמנה שלי؟ مرحبا"


def test_direction_controls_are_taken_out_of_a_message_and_a_comment(chat, ended):
    visitor().post(chat_url(chat, "messages/"), {"body": "see invoice\u202efdp.exe"})
    visitor().post(chat_url(ended, "feedback/"), {"rating": "4", "comment": "\u200b"})

    assert chat.messages.get(kind=Message.Kind.VISITOR).body == "see invoicefdp.exe"
    ended.refresh_from_db()
    assert (ended.rating, ended.rating_comment) == (4, "")


def test_an_offline_name_of_invisible_characters_is_refused(support):
    response = visitor().post(f"/widget/{support.slug}/offline/", {
        "name": "\u200b", "email": "vera@example.org", "message": "Call me",
    })

    assert response.status_code == 400
    assert "Please tell us your name." in response.text


# --- A double submit ---------------------------------------------------------------------------------------


def start_key(page_html) -> str:
    marker = 'name="start_key" value="'
    return page_html.split(marker, 1)[1].split('"', 1)[0]


def test_submitting_the_pre_chat_form_twice_starts_one_chat(support, online):
    page = visitor().get(f"/widget/{support.slug}/").text
    key = start_key(page)

    first = start(visitor(), support, question="Where is my order?", start_key=key)
    second = start(visitor(), support, question="Where is my order?", start_key=key)

    session = ChatSession.objects.get()
    assert session.token in first.text and session.token in second.text
    assert session.messages.count() == 1


def test_each_showing_of_the_form_starts_a_chat_of_its_own(support, online):
    keys = {start_key(visitor().get(f"/widget/{support.slug}/").text) for _ in range(2)}

    for key in keys:
        start(visitor(), support, start_key=key)

    assert len(keys) == 2
    assert ChatSession.objects.count() == 2


def test_a_nul_byte_in_the_session_cookie_is_refused(db):
    client = Client()
    client.cookies["sessionid"] = "abcdefghij\x00klm"

    assert client.get("/accounts/login/").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_form_at_the_same_moment_start_one_chat(support, online):
    key = start_key(visitor().get(f"/widget/{support.slug}/").text)
    ready = threading.Barrier(2)
    answers = []

    def submit():
        ready.wait()
        try:
            answers.append(start(visitor(), support, question="Where is my order?", start_key=key))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    session = ChatSession.objects.get()
    assert [answer.status_code for answer in answers] == [200, 200]
    assert all(session.token in answer.text for answer in answers)
    assert session.messages.count() == 1
