"""What the security tests share: a visitor is a test client with an address of its own, as the throttles
see it (REMOTE_ADDR), and a channel with an agent Present, so the widget offers the chat form."""

import time
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.factories import make_agent


def visitor(address="203.0.113.7", language="en", **headers) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language, **headers)


def start(client, channel, name="Vera", **fields):
    return client.post(f"/widget/{channel.slug}/start/", {"name": name, "email": "vera@example.org", **fields})


@pytest.fixture
def online(support):
    """alice is Present on support: the widget offers the pre-chat form."""
    return make_agent("alice", channel=support)


@pytest.fixture(autouse=True)
def one_throttle_window(monkeypatch):
    """The throttles count in fixed windows (django-ratelimit): a test posting 121 times on a slow machine
    could straddle a window's end and see its count start again. Their clock stands still in these tests;
    a test that waits out a window moves it itself."""
    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: now))
