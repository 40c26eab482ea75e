"""Channels, their teams, chat sessions and their messages.

Invariants live here as database constraints, so no code path (admin, shell, a race) can break them.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_visitor_token() -> str:
    return secrets.token_urlsafe(32)


class Channel(models.Model):
    """One chat widget configuration, e.g. "support" on a company's website."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    transfers_need_acceptance = models.BooleanField(
        _("transfers need acceptance"), default=True,
        help_text=_("When off, choosing a colleague as owner hands the chat over at once."),
    )
    transfer_timeout_seconds = models.PositiveIntegerField(
        _("transfer times out after (seconds)"), default=0, help_text=_("0 means never."),
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return self.name


class ChannelMember(models.Model):
    """An agent's rights on one channel, so each channel can have its own team (SuperOffice's chat rights)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_memberships")
    can_respond = models.BooleanField(_("can respond"), default=True)
    notifications = models.BooleanField(_("notifications"), default=True)
    can_listen_in = models.BooleanField(_("can listen in"), default=False)
    is_manager = models.BooleanField(_("manager"), default=False)

    class Meta:
        verbose_name = _("channel member")
        verbose_name_plural = _("channel members")
        constraints = [models.UniqueConstraint(fields=["channel", "user"], name="one_membership_per_channel")]

    def __str__(self):
        return f"{self.user} @ {self.channel}"


class ChatSession(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("In queue")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="sessions")
    token = models.CharField(max_length=64, unique=True, default=new_visitor_token, editable=False)
    visitor_name = models.CharField(_("name"), max_length=100)
    visitor_email = models.EmailField(_("email"), blank=True)
    question = models.TextField(_("question"), blank=True)
    visitor_language = models.CharField(max_length=10, default="en")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_sessions", verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chat session")
        verbose_name_plural = _("chat sessions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["channel", "status", "created_at"])]
        constraints = [
            # A queued chat has no owner; an active one has exactly one (the owner column).
            models.CheckConstraint(
                condition=Q(status="queued", owner__isnull=True)
                | Q(status="active", owner__isnull=False)
                | Q(status="ended"),
                name="owner_matches_status",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.visitor_name}"

    @property
    def is_queued(self):
        return self.status == self.Status.QUEUED

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_ended(self):
        return self.status == self.Status.ENDED


class Message(models.Model):
    """A line of the transcript. Ids only grow, so "everything after id N" is a resync."""

    class Kind(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        AGENT = "agent", _("Agent")
        EVENT = "event", _("Event")

    class Event(models.TextChoices):
        AGENT_JOINED = "agent_joined", _("Agent joined")
        CHAT_ENDED = "chat_ended", _("Chat ended")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    event = models.CharField(max_length=20, choices=Event.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["session", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="event") ^ Q(event=""), name="event_only_on_event_messages"
            ),
        ]


class ReadMark(models.Model):
    """How far an agent has read a chat; the sessions list's unread count is what came after."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="read_marks")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "agent"], name="one_read_mark_per_agent")]


class Listener(models.Model):
    """An agent watching a chat read-only.

    HANDED_OVER is the listening mode of an agent whose chat went to someone else: it stays in their
    sessions list until they "Close window". SUPERVISOR is a "Can listen in" visit, invisible to the
    owner and the visitor; the rows are the record of who listened to which chat.
    """

    class Reason(models.TextChoices):
        HANDED_OVER = "handed_over", _("Handed over")
        SUPERVISOR = "supervisor", _("Listened in")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="listeners")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listening")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("listener")
        verbose_name_plural = _("listeners")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "agent"], condition=Q(closed_at__isnull=True, reason="handed_over"),
                name="one_open_handed_over_listener",
            ),
        ]
