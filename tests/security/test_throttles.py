"""Every public write is throttled per client address and channel (and chat, where the request names
one), with the channel's own limits: over them the visitor gets 429, Retry-After and a sentence in their
language, and nothing of the refused request is stored."""

import io
import os
import re
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from chat.models import Attachment, ChatSession, Message
from helpdesk.models import Request
from tests.factories import ChannelFactory, ChatSessionFactory, make_agent
from tests.security.conftest import start, visitor

pytestmark = pytest.mark.django_db

SENTENCE = re.compile(r"Please try again in \d+ (second|minute)s?\.$")


def chat_url(session, action):
    return f"/widget/{session.channel.slug}/chat/{session.token}/{action}"


def answered_chat(channel, owner, **fields):
    return ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(), **fields
    )


def ended_chat(channel, owner, **fields):
    return ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ENDED, answered_at=timezone.now(),
        ended_at=timezone.now(), **fields,
    )


def assert_throttled(response, words):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response["Content-Type"].startswith("text/plain")
    assert words in response.text
    assert SENTENCE.search(response.text), response.text


def test_one_address_starts_ten_chats_a_minute_and_the_eleventh_is_told_to_wait(support, online):
    script = visitor()

    answers = [start(script, support, name=f"Spam {n}").status_code for n in range(11)]

    assert answers == [200] * 10 + [429]
    assert_throttled(start(script, support), "You have started too many chats in a short time.")
    assert ChatSession.objects.count() == 10


def test_another_address_and_another_channel_are_counted_apart(support, online):
    sales = ChannelFactory(slug="sales")
    make_agent("bob", channel=sales)
    support.chats_per_minute = 1
    support.save()
    script = visitor("203.0.113.7")
    start(script, support)

    assert start(script, support).status_code == 429
    assert start(visitor("198.51.100.20"), support).status_code == 200
    assert start(script, sales).status_code == 200


def test_after_the_wait_the_same_address_may_start_again(support, online, monkeypatch):
    support.chats_per_minute = 1
    support.save()
    script = visitor()
    start(script, support)
    refused = start(script, support)
    assert refused.status_code == 429

    later = time.time() + int(refused["Retry-After"]) + 1
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: later))

    assert start(script, support).status_code == 200


@pytest.mark.parametrize("language, words", [
    ("nl", "U hebt in korte tijd te veel chats gestart."),
    ("sv", "Du har startat för många chattar på kort tid."),
])
def test_the_sentence_is_in_the_visitors_language(support, online, language, words):
    support.chats_per_minute = 1
    support.save()
    script = visitor(language=language)
    start(script, support)

    response = start(script, support)

    assert response.status_code == 429
    assert words in response.text
    assert "Please" not in response.text


def test_a_limit_of_zero_means_no_limit(support, online):
    support.chats_per_minute = 0
    support.max_queued_chats = 0
    support.save()
    script = visitor()

    assert {start(script, support, name=f"V{n}").status_code for n in range(15)} == {200}


def test_messages_are_counted_per_chat_and_the_refused_one_is_not_stored(support, online):
    support.messages_per_minute = 3
    support.save()
    chat, other_chat = answered_chat(support, online), answered_chat(support, online)
    script = visitor()

    answers = [script.post(chat_url(chat, "messages/"), {"body": f"line {n}"}).status_code for n in range(4)]

    assert answers == [204, 204, 204, 429]
    assert list(chat.messages.filter(kind=Message.Kind.VISITOR).values_list("body", flat=True)) == [
        "line 0", "line 1", "line 2",
    ]
    refused = script.post(chat_url(chat, "messages/"), {"body": "again"})
    assert_throttled(refused, "You are sending messages too quickly.")
    assert script.post(chat_url(other_chat, "messages/"), {"body": "hello"}).status_code == 204


def test_a_cache_that_cannot_answer_lets_the_visitors_line_through(support, online, monkeypatch):
    """Redis down: the throttles cannot count, and the visitor's line is kept rather than refused or lost."""
    import redis
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "incr", down)
    chat = answered_chat(support, online)

    assert visitor().post(chat_url(chat, "messages/"), {"body": "Still here"}).status_code == 204
    assert chat.messages.filter(body="Still here").exists()


def test_files_are_throttled_per_chat(support, online, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    support.files_per_ten_minutes = 2
    support.save()
    chat = answered_chat(support, online)
    script = visitor()

    def send(n):
        upload = io.BytesIO(b"order 1234\n")
        upload.name = f"note-{n}.txt"
        return script.post(chat_url(chat, "files/"), {"file": upload})

    assert [send(n).status_code for n in range(2)] == [204, 204]
    assert_throttled(send(3), "You have sent too many files in a short time.")
    assert Attachment.objects.filter(message__session=chat).count() == 2


def test_typing_reports_are_throttled_generously(support, online):
    chat = answered_chat(support, online)
    script = visitor()

    answers = [script.post(chat_url(chat, "typing/")).status_code for _ in range(121)]

    assert answers.count(204) == 120  # four minutes of typing at the widget's pace fit in one minute's limit
    assert answers[-1] == 429


def test_the_offline_form_is_throttled_per_address(support):
    support.offline_messages_per_hour = 2
    support.save()
    script = visitor()

    def leave(n):
        return script.post(f"/widget/{support.slug}/offline/", {
            "name": "Vera", "email": "vera@example.org", "message": f"Call me back {n}",
        })

    assert [leave(n).status_code for n in range(2)] == [200, 200]
    assert_throttled(leave(3), "You have left too many messages in a short time.")
    assert Request.objects.count() == 2


def test_returning_to_a_chat_counts_as_starting_one(support, online):
    support.chats_per_minute = 2
    support.save()
    script = visitor()
    start(script, support)
    first, second = ended_chat(support, online), ended_chat(support, online)

    assert script.post(chat_url(first, "reactivate/")).status_code == 200
    assert_throttled(script.post(chat_url(second, "reactivate/")), "You have started too many chats")
    second.refresh_from_db()
    assert second.is_ended


def test_the_post_chat_form_is_throttled_per_chat(support, online):
    support.feedback_per_hour = 2
    support.save()
    chat = ended_chat(support, online)
    script = visitor()

    assert [script.post(chat_url(chat, "feedback/"), {"rating": "9"}).status_code for _ in range(2)] == [400, 400]
    assert_throttled(script.post(chat_url(chat, "feedback/"), {"rating": "5"}), "You have sent this form too often.")
    chat.refresh_from_db()
    assert chat.rating is None


def test_transcripts_are_throttled_per_address_across_chats(
    support, online, mailoutbox, django_capture_on_commit_callbacks
):
    support.transcript_by_email = True
    support.transcripts_per_hour = 1
    support.save()
    first, second = ended_chat(support, online), ended_chat(support, online)
    script = visitor()

    with django_capture_on_commit_callbacks(execute=True):
        sent = script.post(chat_url(first, "feedback/"), {"rating": "5", "send_transcript": "1"})
        refused = script.post(chat_url(second, "feedback/"), {"rating": "4", "send_transcript": "1"})

    assert sent.status_code == 200
    assert_throttled(refused, "Too many transcripts were emailed from your address.")
    assert len(mailoutbox) == 1
    second.refresh_from_db()
    assert second.rating is None  # refused whole: the visitor can send it later, or without the transcript
    assert script.post(chat_url(second, "feedback/"), {"rating": "4"}).status_code == 200


def test_password_reset_requests_are_throttled_per_address(db, mailoutbox):
    make_agent("alice")
    script = visitor()

    answers = [
        script.post("/accounts/password_reset/", {"email": "alice@example.com"}).status_code for _ in range(6)
    ]

    assert answers == [302] * 5 + [429]
    assert len(mailoutbox) == 5
    assert visitor("198.51.100.20").post("/accounts/password_reset/", {"email": "x@example.com"}).status_code == 302


def test_a_forwarded_for_header_is_ignored_unless_its_proxy_is_trusted(support, online):
    support.chats_per_minute = 1
    support.save()
    start(visitor("203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.1"), support)

    spoofed = start(visitor("203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.2"), support)

    assert spoofed.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_by_the_address_the_proxy_saw(support, online, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    support.chats_per_minute = 1
    support.save()

    def through_proxy(forwarded_for):
        return start(visitor("10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for), support)

    assert through_proxy("203.0.113.7").status_code == 200
    assert through_proxy("198.51.100.20").status_code == 200  # another visitor behind the same proxy
    # A client that writes its own header is still the address the proxy appended after it.
    assert through_proxy("192.0.2.99, 203.0.113.7").status_code == 429
    assert through_proxy("192.0.2.99, 203.0.113.7, 10.0.0.9").status_code == 429


def test_an_ipv6_client_is_counted_by_its_64_bit_network(support, online):
    support.chats_per_minute = 1
    support.save()
    start(visitor("2001:db8:1:2::1"), support)

    assert start(visitor("2001:db8:1:2::ffff"), support).status_code == 429
    assert start(visitor("2001:db8:1:3::1"), support).status_code == 200


def settings_in_a_new_process(code, **environment):
    env = {**os.environ, **environment}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", f"from django.conf import settings; {code}"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )


def test_with_redis_every_process_counts_in_redis_under_the_installations_prefix():
    result = settings_in_a_new_process(
        "c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'], c['KEY_PREFIX'])",
        REDIS_URL="redis://127.0.0.1:6399/3", CHANNEL_LAYER_PREFIX="shop-a",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6399/3", "shop-a",
    ]


def test_a_trusted_proxy_that_is_no_address_stops_the_start():
    result = settings_in_a_new_process("print(settings.TRUSTED_PROXIES)", TRUSTED_PROXIES="10.0.0.0/8,nginx")

    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx' is not an address or a network." in result.stderr
