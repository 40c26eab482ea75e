"""factory-boy factories for the models tests need most, and `make_agent` for a ready-to-use agent.

Every user's password is "demo"; it is hashed once per test session, not per user (hashing is slow
on purpose).
"""

import functools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from chat.models import Channel, ChannelMember, ChatSession, Message
from helpdesk.models import AgentProfile

PASSWORD = "demo"


@functools.cache
def password_hash() -> str:
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.LazyFunction(password_hash)


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    status = AgentProfile.Status.PRESENT
    # As if the agent's workspace were open: Present counts only with a live workspace.
    workspace_seen_at = factory.LazyFunction(timezone.now)
    shown_online = True


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.LazyAttribute(lambda c: c.slug.replace("-", " ").title())


class ChannelMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelMember
        django_get_or_create = ("channel", "user")

    channel = factory.SubFactory(ChannelFactory)
    user = factory.SubFactory(UserFactory)
    can_respond = True


class ChatSessionFactory(factory.django.DjangoModelFactory):
    """A queued chat by default; pass `owner=agent, status=ChatSession.Status.ACTIVE` for an answered one."""

    class Meta:
        model = ChatSession

    channel = factory.SubFactory(ChannelFactory)
    visitor_name = factory.Faker("first_name")
    visitor_email = factory.LazyAttribute(lambda s: f"{s.visitor_name.lower()}@example.org")
    question = "Where is my order?"
    status = ChatSession.Status.QUEUED
    owner = None


class MessageFactory(factory.django.DjangoModelFactory):
    """A visitor's line by default; agent lines need `kind=Message.Kind.AGENT, author=agent`."""

    class Meta:
        model = Message

    session = factory.SubFactory(ChatSessionFactory)
    kind = Message.Kind.VISITOR
    body = factory.Faker("sentence")


def make_agent(username=None, present=True, channel=None, **rights):
    """A user with an AgentProfile (Present or Away) and a ChannelMember row on `channel`.

    `channel` defaults to the channel with slug "support" (made when missing). `rights` are ChannelMember
    fields: can_respond (default True), notifications, can_listen_in, is_manager.
    """
    user = UserFactory(**({"username": username} if username else {}))
    AgentProfileFactory(
        user=user, status=AgentProfile.Status.PRESENT if present else AgentProfile.Status.AWAY
    )
    if channel is None:
        channel = ChannelFactory(slug="support", name="Support")
    ChannelMemberFactory(channel=channel, user=user, **rights)
    return user


CHANNEL_MANAGER_PERMISSIONS = [
    f"{app_label}.{action}_{model}"
    for app_label, model in [
        ("chat", "chatsession"), ("chat", "channel"), ("chat", "blockedaddress"), ("transfers", "transfer"),
        ("helpdesk", "request"), ("helpdesk", "contact"), ("helpdesk", "activity"),
        ("meetings", "meeting"), ("meetings", "workingcalendar"), ("meetings", "channelmeetings"),
    ]
    for action in ("view", "change")
] + ["chat.view_listener", "chat.view_message"]


def make_channel_manager(username, channel, **rights):
    """A manager of one channel only (is_manager on its membership, no "Can take over and transfer any
    chat"), with the admin's model permissions: what a company gives the head of one team."""
    from django.contrib.auth.models import Permission

    user = make_agent(username, channel=channel, is_manager=True, **rights)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    wanted = [name.split(".") for name in CHANNEL_MANAGER_PERMISSIONS]
    permissions = Permission.objects.filter(codename__in=[codename for _app, codename in wanted])
    user.user_permissions.add(*[p for p in permissions.select_related("content_type")
                                if [p.content_type.app_label, p.codename] in wanted])
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions or rights


def logged_in(user, **client_options):
    """A test client signed in as `user`."""
    from django.test import Client

    client = Client(**client_options)
    client.force_login(user)
    return client


def active_chat(channel, owner, **fields):
    """A chat `owner` has answered and is in."""
    return ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(), **fields
    )
