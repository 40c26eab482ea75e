"""What the security tests share: a visitor is a test client with an address of its own, as the throttles
see it (REMOTE_ADDR), and a channel with an agent Present, so the widget offers the chat form."""

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
